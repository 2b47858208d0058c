#include "platform/auth/revocation.hpp"

#include <string>

namespace platform::auth {
namespace {

std::string TokenKey(std::string_view jti) { return "revoked:jti:" + std::string(jti); }
std::string SessionKey(std::string_view sid) { return "revoked:sid:" + std::string(sid); }

}  // namespace

boost::asio::awaitable<Result<void>> RevocationList::RevokeToken(std::string jti,
                                                                 std::int64_t expires_unix) {
  // PXAT: the entry disappears exactly when the token would be refused for expiry anyway.
  // Commands are built before co_await: g++ 12 miscompiles braced lists inside it.
  redis::Command command{"SET", TokenKey(jti), "1", "PXAT",
                         std::to_string(expires_unix * 1000 + 1000)};
  auto reply = co_await redis_.Execute1(std::move(command));
  if (!reply) co_return std::unexpected(reply.error());
  {
    // This process sees its own revocations at once, not after `recheck`.
    std::lock_guard lock(mutex_);
    cleared_until_.erase(jti);
  }
  co_return Result<void>{};
}

boost::asio::awaitable<Result<void>> RevocationList::RevokeSessions(
    std::vector<std::string> session_ids, std::chrono::seconds access_ttl) {
  if (session_ids.empty()) co_return Result<void>{};
  std::vector<redis::Command> commands;
  for (const auto& sid : session_ids) {
    commands.push_back(
        {"SET", SessionKey(sid), "1", "EX", std::to_string(access_ttl.count() + 60)});
  }
  auto replies = co_await redis_.Execute(std::move(commands));
  if (!replies) co_return std::unexpected(replies.error());
  {
    // Which cleared tokens belong to these sessions is not known here: forget them all.
    std::lock_guard lock(mutex_);
    cleared_until_.clear();
  }
  co_return Result<void>{};
}

bool RevocationList::RecentlyCleared(const std::string& jti) {
  std::lock_guard lock(mutex_);
  auto it = cleared_until_.find(jti);
  return it != cleared_until_.end() && std::chrono::steady_clock::now() < it->second;
}

void RevocationList::RememberCleared(const std::string& jti) {
  std::lock_guard lock(mutex_);
  if (cleared_until_.size() >= 100'000) {
    auto now = std::chrono::steady_clock::now();
    std::erase_if(cleared_until_, [now](const auto& entry) { return entry.second <= now; });
    if (cleared_until_.size() >= 100'000) cleared_until_.clear();
  }
  cleared_until_[jti] = std::chrono::steady_clock::now() + recheck_;
}

boost::asio::awaitable<Result<bool>> RevocationList::IsRevoked(const AccessClaims& claims) {
  if (RecentlyCleared(claims.jti)) co_return false;
  redis::Command command{"EXISTS", TokenKey(claims.jti)};
  if (!claims.sid.empty()) command.push_back(SessionKey(claims.sid));
  auto reply = co_await redis_.Execute1(std::move(command));
  if (!reply) co_return std::unexpected(reply.error());
  if (reply->integer > 0) co_return true;
  RememberCleared(claims.jti);
  co_return false;
}

}  // namespace platform::auth
