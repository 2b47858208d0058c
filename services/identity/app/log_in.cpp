#include "app/use_cases.hpp"
#include "domain/email.hpp"
#include "platform/try.hpp"

namespace identity::app {

Async<AuthResult> LogIn(IdentityDeps& deps, LoginCommand command) {
  auto invalid = platform::Error::Unauthorized("email or password is incorrect");
  // A malformed email is answered like a wrong one, after the same work.
  auto email = domain::NormalizeEmail(command.email);
  std::string key = email ? *email : command.email;
  if (auto allowed = co_await deps.throttle.Check(key, command.client_address); !allowed) {
    if (allowed.error().kind == platform::ErrorKind::kRateLimited) {
      co_return std::unexpected(allowed.error());
    }
    // Redis unavailable: logins go on without the counters rather than failing.
  }
  std::optional<domain::Credentials> found;
  if (email) {
    TODO_CO_TRY(found, co_await deps.store.FindByEmail(*email));
  }
  // The password is checked in full (never truncated) and an unknown email costs one hash too.
  platform::Result<bool> verified = false;
  if (found) {
    verified = co_await deps.hasher.Verify(found->password_hash, command.password);
  } else {
    verified = co_await deps.hasher.VerifyDummy(command.password);
  }
  TODO_CO_TRY(bool matches, std::move(verified));
  if (!found || !matches) {
    (void)co_await deps.throttle.RecordFailure(key, command.client_address);
    co_return std::unexpected(invalid);
  }
  std::string refresh = deps.tokens.NewRefreshToken();
  NewSession session{deps.env.NewId(), deps.tokens.HashRefreshToken(refresh),
                     deps.tokens.RefreshTtl(), deps.tokens.SessionMaxAge()};
  TODO_CO_TRY_VOID(co_await deps.store.OpenSession(found->user.id, session));
  auto tokens = deps.tokens.Issue(found->user.id, session.family_id, std::move(refresh));
  co_return AuthResult{std::move(found->user), std::move(tokens)};
}

}  // namespace identity::app
