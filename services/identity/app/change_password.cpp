#include "app/use_cases.hpp"

namespace identity::app {

Async<void> ChangePassword(IdentityDeps& deps, const Caller& caller,
                           ChangePasswordCommand command) {
  auto policy =
      domain::CheckNewPassword(command.new_password, deps.common_passwords, "new_password");
  if (!policy) co_return std::unexpected(policy.error());
  auto found = co_await deps.store.FindById(caller.user_id);
  if (!found) co_return std::unexpected(found.error());
  if (!*found) co_return std::unexpected(platform::Error::NotFound("user not found"));
  // Failed checks count like failed logins; over the limit the check is refused unhashed.
  if (auto allowed = co_await deps.throttle.Check((*found)->user.email, caller.client_address);
      !allowed) {
    co_return std::unexpected(allowed.error());
  }
  auto verified = co_await deps.hasher.Verify((*found)->password_hash, command.current_password);
  if (!verified) co_return std::unexpected(verified.error());
  if (!*verified) {
    (void)co_await deps.throttle.RecordFailure((*found)->user.email, caller.client_address);
    co_return std::unexpected(platform::Error::Validation("current password is incorrect",
                                                          {{"current_password", "is incorrect"}}));
  }
  auto hash = co_await deps.hasher.Hash(command.new_password);
  if (!hash) co_return std::unexpected(hash.error());
  auto revoked = co_await deps.store.ChangePassword(caller.user_id, std::move(*hash),
                                                    caller.session_id, caller.request_id);
  if (!revoked) co_return std::unexpected(revoked.error());
  // The store has ended the other sessions (with their events); their access tokens end here.
  co_await deps.revocations.RevokeSessions(std::move(*revoked));
  co_return platform::Result<void>{};
}

}  // namespace identity::app
