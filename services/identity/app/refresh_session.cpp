#include "app/use_cases.hpp"
#include "platform/check.hpp"
#include "platform/try.hpp"

namespace identity::app {

Async<Tokens> RefreshSession(IdentityDeps& deps, std::string refresh_token) {
  auto invalid = platform::Error::Unauthorized("the refresh token is not valid");
  if (refresh_token.empty() || refresh_token.size() > 256) co_return std::unexpected(invalid);
  std::string next = deps.tokens.NewRefreshToken();
  NewSession session{"", deps.tokens.HashRefreshToken(next), deps.tokens.RefreshTtl()};
  TODO_CO_TRY(auto outcome,
              co_await deps.store.Rotate(deps.tokens.HashRefreshToken(refresh_token), session));
  switch (outcome.kind) {
    case RotationOutcome::Kind::kRotated:
      TODO_CO_CHECK(!outcome.user_id.empty() && !outcome.family_id.empty(),
                    "a rotated token names its user and family");
      co_return deps.tokens.Issue(outcome.user_id, outcome.family_id, std::move(next));
    case RotationOutcome::Kind::kReused:
      // A used token presented again means it was stolen or replayed: the store has revoked
      // the family (and committed its event); its access tokens go too.
      co_await deps.revocations.RevokeSessions(std::move(outcome.ended));
      co_return std::unexpected(invalid);
    case RotationOutcome::Kind::kUnknown:
      break;
  }
  co_return std::unexpected(invalid);
}

}  // namespace identity::app
