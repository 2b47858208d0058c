#pragma once
// JwtSessionTokens: EdDSA access tokens and opaque refresh tokens; ListAccessRevocations: the
// revocation list every service consults; SystemEnvironment: real clock and UUIDv7 ids.

#include "app/ports.hpp"
#include "infra/auth/signing_keys.hpp"
#include "platform/auth/revocation.hpp"

namespace identity::infra {

// JwtSessionTokens: access tokens signed by the key that signs at the moment of issue;
// refresh tokens are 256 random bits, of which only the SHA-256 is stored.
class JwtSessionTokens : public app::SessionTokens {
 public:
  JwtSessionTokens(SigningKeys& keys, std::chrono::seconds refresh_ttl,
                   std::chrono::seconds session_max_age)
      : keys_(keys), refresh_ttl_(refresh_ttl), session_max_age_(session_max_age) {}
  std::string NewRefreshToken() override;
  std::string HashRefreshToken(std::string_view token) override;
  app::Tokens Issue(const std::string& user_id, const std::string& family_id,
                    std::string refresh_token) override;
  std::chrono::seconds AccessTtl() const override { return keys_.AccessTtl(); }
  std::chrono::seconds RefreshTtl() const override { return refresh_ttl_; }
  std::chrono::seconds SessionMaxAge() const override { return session_max_age_; }

 private:
  SigningKeys& keys_;
  std::chrono::seconds refresh_ttl_;
  std::chrono::seconds session_max_age_;
};

// ListAccessRevocations: the AccessRevocations port on the platform's RevocationList (this
// process's set at once, Redis for the other instances).
class ListAccessRevocations : public app::AccessRevocations {
 public:
  explicit ListAccessRevocations(platform::auth::RevocationList& list) : list_(list) {}
  boost::asio::awaitable<void> RevokeSessions(std::vector<app::SessionRevocation> ended) override;

 private:
  platform::auth::RevocationList& list_;
};

// SystemEnvironment: UUIDv7 ids and the system clock.
class SystemEnvironment : public app::Environment {
 public:
  std::string NewId() override;
  std::string Now() override;
};

}  // namespace identity::infra
