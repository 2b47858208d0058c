#pragma once
// RevocationList: the denylist of access tokens and sessions that every service consults, kept
// in Redis with each entry expiring when the tokens it covers would have expired anyway.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "platform/auth/jwt.hpp"
#include "platform/redis/client.hpp"

namespace platform::auth {

// RevocationList: revoking is visible to every verifier at its next request.
class RevocationList {
 public:
  explicit RevocationList(redis::Client& redis) : redis_(redis) {}

  boost::asio::awaitable<Result<void>> RevokeToken(std::string jti, std::int64_t expires_unix);
  // Revokes every access token minted for these sessions (refresh-token families).
  boost::asio::awaitable<Result<void>> RevokeSessions(std::vector<std::string> session_ids,
                                                      std::chrono::seconds access_ttl);
  boost::asio::awaitable<Result<bool>> IsRevoked(const AccessClaims& claims);

 private:
  redis::Client& redis_;
};

}  // namespace platform::auth
