#include "infra/auth/session_tokens.hpp"

#include "platform/digest.hpp"
#include "platform/time.hpp"
#include "platform/uuid.hpp"

namespace identity::infra {

std::string JwtSessionTokens::NewRefreshToken() { return platform::RandomToken(); }

std::string JwtSessionTokens::HashRefreshToken(std::string_view token) {
  return platform::Sha256Hex(token);
}

app::Tokens JwtSessionTokens::Issue(const std::string& user_id, const std::string& family_id,
                                    std::string refresh_token) {
  const std::int64_t now = keys_.Now();
  const auto signer = keys_.SignerAt(now);
  auto claims = signer->NewClaims(user_id, family_id, now);
  return app::Tokens{signer->Sign(claims), std::move(refresh_token), signer->Ttl().count()};
}

boost::asio::awaitable<void> ListAccessRevocations::RevokeSessions(
    std::vector<app::SessionRevocation> ended) {
  co_await list_.RevokeSessions(std::move(ended));
}

std::string SystemEnvironment::NewId() { return platform::NewUuidV7(); }

std::string SystemEnvironment::Now() { return platform::FormatTimestamp(platform::Clock::now()); }

}  // namespace identity::infra
