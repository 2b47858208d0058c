#pragma once
// RevocationList: the denylist of access tokens and sessions that every service consults, kept
// in Redis with each entry expiring when the tokens it covers would have expired anyway.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/auth/jwt.hpp"
#include "platform/redis/client.hpp"

namespace platform::auth {

// RevocationList: a revocation is seen by every verifier within `recheck` (default 500 ms, well
// inside API.md's 1 s): a token found not revoked is not asked about again before then, which
// saves a Redis round trip on most requests.
class RevocationList {
 public:
  explicit RevocationList(redis::Client& redis,
                          std::chrono::milliseconds recheck = std::chrono::milliseconds(500))
      : redis_(redis), recheck_(recheck) {}

  boost::asio::awaitable<Result<void>> RevokeToken(std::string jti, std::int64_t expires_unix);
  // Revokes every access token minted for these sessions (refresh-token families).
  boost::asio::awaitable<Result<void>> RevokeSessions(std::vector<std::string> session_ids,
                                                      std::chrono::seconds access_ttl);
  boost::asio::awaitable<Result<bool>> IsRevoked(const AccessClaims& claims);
  // True when the token was found not revoked less than `recheck` ago: callers may skip
  // IsRevoked (and its coroutine) on this path, which most requests take.
  bool RecentlyCleared(const std::string& jti);

 private:
  void RememberCleared(const std::string& jti);

  redis::Client& redis_;
  std::chrono::milliseconds recheck_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> cleared_until_;
};

}  // namespace platform::auth
