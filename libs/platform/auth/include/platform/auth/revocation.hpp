#pragma once
// RevocationList: decides whether an access token's session has been revoked, from this
// process's RevocationSet (filled from todo.session.revoked events: the authority) with Redis as
// the fast path between instances. It never answers "not revoked" because Redis could not be
// asked.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "platform/auth/jwt.hpp"
#include "platform/auth/revocation_set.hpp"
#include "platform/auth/session_revoked.hpp"
#include "platform/redis/client.hpp"

namespace platform::auth {

// RevocationList: a session found not revoked is not asked about in Redis again for `recheck`
// (default 500 ms), which saves a round trip on most requests; a revocation then still reaches
// every verifier within API.md's 1 s, through its event or through Redis, whichever is first.
class RevocationList {
 public:
  RevocationList(RevocationSet& set, redis::Client& redis,
                 std::chrono::milliseconds recheck = std::chrono::milliseconds(500))
      : set_(set), redis_(redis), recheck_(recheck) {}

  // Identity, after committing the revocations (and their events): this process refuses the
  // sessions at once; Redis tells the other instances before the events reach them. A Redis
  // failure is logged, not returned: the events carry the revocations anyway.
  boost::asio::awaitable<void> RevokeSessions(std::vector<SessionRevocation> revocations);

  // The decision when it needs no Redis round trip (most requests): revoked (in the set), not
  // knowable (Error::Unavailable: the replay has not caught up or the set overflowed), or not
  // revoked (checked less than `recheck` ago). nullopt: ask IsRevoked.
  std::optional<Result<bool>> QuickCheck(const AccessClaims& claims);
  // QuickCheck, then Redis. When Redis cannot be asked, the set decides alone if it is following
  // the stream live; otherwise Error::Unavailable (the caller refuses the request).
  boost::asio::awaitable<Result<bool>> IsRevoked(const AccessClaims& claims);

  // Ready to decide: the replay has caught up and the set holds every revocation it was given.
  bool Ready() const;

 private:
  bool RecentlyCleared(const std::string& sid);
  void RememberCleared(const std::string& sid);
  void ForgetCleared(const std::string& sid);

  RevocationSet& set_;
  redis::Client& redis_;
  std::chrono::milliseconds recheck_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> cleared_until_;
};

}  // namespace platform::auth
