#include "infra/json/user_json.hpp"
#include "infra/rest/handlers.hpp"
#include "infra/rest/request_bodies.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/try.hpp"

namespace identity::infra {

using platform::http::Request;
using platform::http::Response;

app::Caller CallerOf(const Request& request) {
  return app::Caller{request.subject,    request.session_id,
                     request.token_id,   request.token_expires_at,
                     request.request_id, platform::http::ClientAddress(request)};
}

namespace {

Response UserResponse(const domain::User& user) {
  auto response = Response::Json(200, UserJson(user));
  response.SetHeader("ETag", "\"" + std::to_string(user.version) + "\"");
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

}  // namespace

HandlerResult HandleGetMe(app::IdentityDeps& deps, Request& request) {
  TODO_CO_TRY(auto user, co_await app::GetProfile(deps, CallerOf(request)));
  co_return UserResponse(user);
}

HandlerResult HandlePatchMe(app::IdentityDeps& deps, Request& request) {
  TODO_CO_TRY(auto change, ParseProfileChange(request.body));
  TODO_CO_TRY(auto user, co_await app::UpdateProfile(deps, CallerOf(request), std::move(change)));
  co_return UserResponse(user);
}

HandlerResult HandleChangePassword(app::IdentityDeps& deps, Request& request) {
  TODO_CO_TRY(auto command, ParseChangePasswordBody(request.body));
  TODO_CO_TRY_VOID(co_await app::ChangePassword(deps, CallerOf(request), std::move(command)));
  co_return Response::NoContent();
}

HandlerResult HandleDeleteMe(app::IdentityDeps& deps, Request& request) {
  TODO_CO_TRY(auto password, ParsePasswordBody(request.body));
  TODO_CO_TRY_VOID(co_await app::DeleteAccount(deps, CallerOf(request), std::move(password)));
  co_return Response::NoContent();
}

}  // namespace identity::infra
