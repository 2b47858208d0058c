#include "infra/rest/identity_routes.hpp"

#include "infra/rest/handlers.hpp"

namespace identity::infra {

using platform::http::Request;
using platform::http::Response;

void AddIdentityRoutes(platform::http::Router& router, app::IdentityDeps& deps,
                       platform::http::AuthGuard& guard, platform::http::UserRateLimit& limit,
                       const SigningKeys& keys) {
  auto bind = [&deps](HandlerResult (*handler)(app::IdentityDeps&, Request&)) {
    return [&deps, handler](Request& request) { return handler(deps, request); };
  };
  auto protect = [&guard, &limit](platform::http::Handler inner) {
    return guard.Protect(limit.Limit(std::move(inner)));
  };
  router.Add("POST", "/v1/auth/register", bind(HandleRegister));
  router.Add("POST", "/v1/auth/login", bind(HandleLogin));
  router.Add("POST", "/v1/auth/refresh", bind(HandleRefresh));
  router.Add("POST", "/v1/auth/logout", protect(bind(HandleLogout)));
  router.Add("GET", "/v1/users/me", protect(bind(HandleGetMe)));
  router.Add("PATCH", "/v1/users/me", protect(bind(HandlePatchMe)));
  router.Add("PUT", "/v1/users/me/password", protect(bind(HandleChangePassword)));
  router.Add("DELETE", "/v1/users/me", protect(bind(HandleDeleteMe)));
  router.Add("GET", "/.well-known/jwks.json",
             [&keys](Request&) -> boost::asio::awaitable<Response> {
               auto response = Response::Json(200, *keys.Jwks());
               response.SetHeader("Cache-Control", "public, max-age=300");
               co_return response;
             });
}

}  // namespace identity::infra
