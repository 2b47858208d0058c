#include "app/use_cases.hpp"
#include "platform/try.hpp"

namespace identity::app {

Async<void> ChangePassword(IdentityDeps& deps, const Caller& caller,
                           ChangePasswordCommand command) {
  TODO_CO_TRY_VOID(
      domain::CheckNewPassword(command.new_password, deps.common_passwords, "new_password"));
  TODO_CO_TRY(auto found, co_await deps.store.FindById(caller.user_id));
  if (!found) co_return std::unexpected(platform::Error::NotFound("user not found"));
  // Failed checks count like failed logins; over the limit the check is refused unhashed.
  TODO_CO_TRY_VOID(co_await deps.throttle.Check(found->user.email, caller.client_address));
  TODO_CO_TRY(bool verified,
              co_await deps.hasher.Verify(found->password_hash, command.current_password));
  if (!verified) {
    (void)co_await deps.throttle.RecordFailure(found->user.email, caller.client_address);
    co_return std::unexpected(platform::Error::Validation("current password is incorrect",
                                                          {{"current_password", "is incorrect"}}));
  }
  TODO_CO_TRY(auto hash, co_await deps.hasher.Hash(command.new_password));
  TODO_CO_TRY(auto revoked,
              co_await deps.store.ChangePassword(caller.user_id, std::move(hash), caller.session_id,
                                                 caller.request_id));
  // The store has ended the other sessions (with their events); their access tokens end here.
  co_await deps.revocations.RevokeSessions(std::move(revoked));
  co_return platform::Result<void>{};
}

}  // namespace identity::app
