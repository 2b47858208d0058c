#include "platform/auth/revocation.hpp"

#include <string>

#include "platform/log.hpp"

namespace platform::auth {
namespace {

constexpr std::size_t kMaxCleared = 100'000;

std::string SessionKey(std::string_view sid) { return "revoked:sid:" + std::string(sid); }

TimePoint NowMillis() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now());
}

Error NotKnowable(std::string detail) { return Error::Unavailable(std::move(detail), 1); }

}  // namespace

boost::asio::awaitable<void> RevocationList::RevokeSessions(
    std::vector<SessionRevocation> revocations) {
  auto now = NowMillis();
  std::vector<redis::Command> commands;
  for (const auto& r : revocations) {
    set_.Add(r.session_id, r.until, now);
    ForgetCleared(r.session_id);
    // PXAT: the entry disappears when the session's last access token has expired anyway.
    // Commands are built before co_await: g++ 12 miscompiles braced lists inside it.
    commands.push_back({"SET", SessionKey(r.session_id), "1", "PXAT",
                        std::to_string(r.until.time_since_epoch().count())});
  }
  if (commands.empty()) co_return;
  auto replies = co_await redis_.Execute(std::move(commands));
  if (!replies) {
    log::Warn("revocations not copied to Redis: other instances learn them from the events",
              {{"error", replies.error().detail}});
  }
}

std::optional<Result<bool>> RevocationList::QuickCheck(const AccessClaims& claims) {
  auto now = NowMillis();
  if (!set_.CaughtUp()) return std::unexpected(NotKnowable("revocations are still being loaded"));
  if (set_.Contains(claims.sid, now)) return true;
  if (!set_.Authoritative(now)) {
    return std::unexpected(NotKnowable("revocations cannot be checked now"));
  }
  if (RecentlyCleared(claims.sid)) return false;
  return std::nullopt;
}

boost::asio::awaitable<Result<bool>> RevocationList::IsRevoked(const AccessClaims& claims) {
  if (auto quick = QuickCheck(claims)) co_return *quick;
  redis::Command command{"EXISTS", SessionKey(claims.sid)};
  auto reply = co_await redis_.Execute1(std::move(command));
  if (!reply) {
    // Redis is only the fast path: the set, following the stream, knows every revocation.
    if (!set_.Live()) co_return std::unexpected(NotKnowable("revocations cannot be checked now"));
    RememberCleared(claims.sid);
    co_return false;
  }
  if (reply->integer > 0) {
    // Its event has not arrived yet: keep it in the set for as long as this token lives.
    set_.Add(claims.sid, TimePoint(std::chrono::seconds(claims.exp)) + kRevocationMargin,
             NowMillis());
    co_return true;
  }
  RememberCleared(claims.sid);
  co_return false;
}

bool RevocationList::Ready() const { return set_.Authoritative(NowMillis()); }

bool RevocationList::RecentlyCleared(const std::string& sid) {
  std::lock_guard lock(mutex_);
  auto it = cleared_until_.find(sid);
  return it != cleared_until_.end() && std::chrono::steady_clock::now() < it->second;
}

void RevocationList::RememberCleared(const std::string& sid) {
  std::lock_guard lock(mutex_);
  if (cleared_until_.size() >= kMaxCleared) {
    auto now = std::chrono::steady_clock::now();
    std::erase_if(cleared_until_, [now](const auto& entry) { return entry.second <= now; });
    if (cleared_until_.size() >= kMaxCleared) cleared_until_.clear();
  }
  cleared_until_[sid] = std::chrono::steady_clock::now() + recheck_;
}

void RevocationList::ForgetCleared(const std::string& sid) {
  std::lock_guard lock(mutex_);
  cleared_until_.erase(sid);
}

}  // namespace platform::auth
