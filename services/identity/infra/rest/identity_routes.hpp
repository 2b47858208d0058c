#pragma once
// The identity service's HTTP routes, one handler per API.md row.

#include "app/use_cases.hpp"
#include "platform/auth/jwt.hpp"
#include "platform/http/auth_guard.hpp"
#include "platform/http/router.hpp"

namespace identity::infra {

// Registers /v1/auth/*, /v1/users/me* and /.well-known/jwks.json.
void AddIdentityRoutes(platform::http::Router& router, app::IdentityDeps& deps,
                       platform::http::AuthGuard& guard, std::string jwks_json);

}  // namespace identity::infra
