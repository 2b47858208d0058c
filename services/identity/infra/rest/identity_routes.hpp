#pragma once
// The identity service's HTTP routes, one handler per API.md row.

#include "app/use_cases.hpp"
#include "infra/auth/signing_keys.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/http/router.hpp"
#include "platform/http/user_rate_limit.hpp"

namespace identity::infra {

// Registers /v1/auth/*, /v1/users/me* and /.well-known/jwks.json (the keys published now); the
// authenticated ones are rate-limited per user.
void AddIdentityRoutes(platform::http::Router& router, app::IdentityDeps& deps,
                       platform::http::AuthGuard& guard, platform::http::UserRateLimit& limit,
                       const SigningKeys& keys);

}  // namespace identity::infra
