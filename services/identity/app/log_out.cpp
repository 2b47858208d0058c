#include "app/use_cases.hpp"

namespace identity::app {

Async<void> LogOut(IdentityDeps& deps, const Caller& caller, std::string refresh_token) {
  std::string hash = refresh_token.size() <= 256 ? deps.tokens.HashRefreshToken(refresh_token) : "";
  auto ended = co_await deps.store.EndSessions(caller.user_id, caller.session_id, hash);
  if (!ended) co_return std::unexpected(ended.error());
  std::vector<std::string> families = std::move(*ended);
  if (!caller.session_id.empty()) families.push_back(caller.session_id);
  if (auto r = co_await deps.revocations.RevokeToken(caller.token_id, caller.token_expires_at);
      !r) {
    co_return std::unexpected(r.error());
  }
  if (auto r = co_await deps.revocations.RevokeSessions(std::move(families)); !r) {
    co_return std::unexpected(r.error());
  }
  co_return platform::Result<void>{};
}

}  // namespace identity::app
