#include "app/use_cases.hpp"
#include "platform/try.hpp"

namespace identity::app {

Async<void> DeleteAccount(IdentityDeps& deps, const Caller& caller, std::string password) {
  TODO_CO_TRY(auto found, co_await deps.store.FindById(caller.user_id));
  if (!found) co_return std::unexpected(platform::Error::NotFound("user not found"));
  // Failed checks count like failed logins; over the limit the check is refused unhashed.
  TODO_CO_TRY_VOID(co_await deps.throttle.Check(found->user.email, caller.client_address));
  TODO_CO_TRY(bool verified, co_await deps.hasher.Verify(found->password_hash, password));
  if (!verified) {
    (void)co_await deps.throttle.RecordFailure(found->user.email, caller.client_address);
    co_return std::unexpected(
        platform::Error::Validation("password is incorrect", {{"password", "is incorrect"}}));
  }
  TODO_CO_TRY(auto revoked, co_await deps.store.Delete(caller.user_id, caller.request_id));
  // Every live session ended with the account, the caller's included.
  co_await deps.revocations.RevokeSessions(std::move(revoked));
  co_return platform::Result<void>{};
}

}  // namespace identity::app
