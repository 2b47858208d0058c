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
  auto claims = signer_.NewClaims(user_id, family_id, platform::auth::SystemNowUnix());
  return app::Tokens{signer_.Sign(claims), std::move(refresh_token), signer_.Ttl().count()};
}

boost::asio::awaitable<void> ListAccessRevocations::RevokeSessions(
    std::vector<app::SessionRevocation> ended) {
  co_await list_.RevokeSessions(std::move(ended));
}

std::string SystemEnvironment::NewId() { return platform::NewUuidV7(); }

std::string SystemEnvironment::Now() { return platform::FormatTimestamp(platform::Clock::now()); }

}  // namespace identity::infra
