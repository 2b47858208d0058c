#include "app/use_cases.hpp"
#include "domain/email.hpp"
#include "platform/check.hpp"
#include "platform/try.hpp"

namespace identity::app {

platform::Error EmailTaken() {
  return platform::Error::Conflict("an account with this email already exists");
}

Async<AuthResult> RegisterUser(IdentityDeps& deps, RegisterCommand command) {
  std::vector<platform::FieldError> errors;
  auto email = domain::NormalizeEmail(command.email);
  if (!email) errors.insert(errors.end(), email.error().errors.begin(), email.error().errors.end());
  auto name = domain::ValidateName(command.name);
  if (!name) errors.insert(errors.end(), name.error().errors.begin(), name.error().errors.end());
  auto password = domain::CheckNewPassword(command.password, deps.common_passwords);
  if (!password) {
    errors.insert(errors.end(), password.error().errors.begin(), password.error().errors.end());
  }
  if (!errors.empty()) {
    co_return std::unexpected(platform::Error::Validation("registration is not valid", errors));
  }
  TODO_CO_CHECK(email && name, "a registration without errors has a valid email and name");
  // Each registration costs an Argon2id hash: a client address gets so many per hour.
  TODO_CO_TRY_VOID(co_await deps.throttle.AdmitRegistration(command.client_address));
  // A taken email is answered before any hashing. The 409 itself says the email is taken, so
  // answering it sooner than a registration reveals nothing more.
  TODO_CO_TRY(auto taken, co_await deps.store.FindByEmail(*email));
  if (taken) co_return std::unexpected(EmailTaken());
  TODO_CO_TRY(auto hash, co_await deps.hasher.Hash(command.password));

  domain::User user;
  user.id = deps.env.NewId();
  user.email = *email;
  user.name = *name;
  user.created_at = user.updated_at = deps.env.Now();
  std::string refresh = deps.tokens.NewRefreshToken();
  NewSession session{deps.env.NewId(), deps.tokens.HashRefreshToken(refresh),
                     deps.tokens.RefreshTtl(), deps.tokens.SessionMaxAge()};
  TODO_CO_TRY(auto created,
              co_await deps.store.Create(user, std::move(hash), session, command.request_id));
  auto tokens = deps.tokens.Issue(created.id, session.family_id, std::move(refresh));
  co_return AuthResult{std::move(created), std::move(tokens)};
}

}  // namespace identity::app
