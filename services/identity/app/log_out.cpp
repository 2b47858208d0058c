#include "app/use_cases.hpp"
#include "platform/try.hpp"

namespace identity::app {

Async<void> LogOut(IdentityDeps& deps, const Caller& caller, std::string refresh_token) {
  std::string hash = refresh_token.size() <= 256 ? deps.tokens.HashRefreshToken(refresh_token) : "";
  // The caller's session ends with the family: its access token (which names the session) is
  // refused from here on, durably, through the todo.session.revoked event committed with it.
  TODO_CO_TRY(auto ended, co_await deps.store.EndSessions(caller.user_id, caller.session_id, hash,
                                                          caller.request_id));
  // Before answering: this process refuses the token at once, the others within a second.
  co_await deps.revocations.RevokeSessions(std::move(ended));
  co_return platform::Result<void>{};
}

}  // namespace identity::app
