#include "app/use_cases.hpp"
#include "platform/try.hpp"

namespace identity::app {

Async<domain::User> GetProfile(IdentityDeps& deps, const Caller& caller) {
  TODO_CO_TRY(auto found, co_await deps.store.FindById(caller.user_id));
  if (!found) co_return std::unexpected(platform::Error::NotFound("user not found"));
  co_return std::move(found->user);
}

Async<domain::User> UpdateProfile(IdentityDeps& deps, const Caller& caller, ProfileChange change) {
  std::vector<platform::FieldError> errors;
  if (change.name) {
    auto name = domain::ValidateName(*change.name);
    if (name)
      change.name = *name;
    else
      errors.insert(errors.end(), name.error().errors.begin(), name.error().errors.end());
  }
  if (change.timezone) {
    auto zone = domain::ValidateTimezone(*change.timezone, deps.timezones);
    if (!zone) errors.insert(errors.end(), zone.error().errors.begin(), zone.error().errors.end());
  }
  if (change.default_task_ttl_seconds.present && change.default_task_ttl_seconds.value) {
    auto ttl = domain::ValidateDefaultTaskTtl(*change.default_task_ttl_seconds.value);
    if (!ttl) errors.insert(errors.end(), ttl.error().errors.begin(), ttl.error().errors.end());
  }
  if (!errors.empty()) {
    co_return std::unexpected(platform::Error::Validation("profile change is not valid", errors));
  }
  co_return co_await deps.store.Update(caller.user_id, std::move(change), caller.request_id);
}

}  // namespace identity::app
