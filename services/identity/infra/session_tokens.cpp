#include "infra/session_tokens.hpp"

#include <openssl/sha.h>

#include "platform/time.hpp"
#include "platform/uuid.hpp"

namespace identity::infra {

std::string JwtSessionTokens::NewRefreshToken() { return platform::RandomToken(); }

std::string JwtSessionTokens::HashRefreshToken(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0F]);
  }
  return out;
}

app::Tokens JwtSessionTokens::Issue(const std::string& user_id, const std::string& family_id,
                                    std::string refresh_token) {
  auto claims = signer_.NewClaims(user_id, family_id, platform::auth::SystemNowUnix());
  return app::Tokens{signer_.Sign(claims), std::move(refresh_token), signer_.Ttl().count()};
}

app::Async<void> RedisAccessRevocations::RevokeToken(std::string jti, std::int64_t expires_unix) {
  co_return co_await list_.RevokeToken(std::move(jti), expires_unix);
}

app::Async<void> RedisAccessRevocations::RevokeSessions(std::vector<std::string> family_ids) {
  co_return co_await list_.RevokeSessions(std::move(family_ids), access_ttl_);
}

std::string SystemEnvironment::NewId() { return platform::NewUuidV7(); }

std::string SystemEnvironment::Now() { return platform::FormatTimestamp(platform::Clock::now()); }

}  // namespace identity::infra
