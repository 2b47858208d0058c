#include "infra/rest/handlers.hpp"
#include "infra/rest/request_bodies.hpp"
#include "infra/json/user_json.hpp"
#include "platform/auth/auth_guard.hpp"

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
  auto user = co_await app::GetProfile(deps, CallerOf(request));
  if (!user) co_return Response::Problem(user.error());
  co_return UserResponse(*user);
}

HandlerResult HandlePatchMe(app::IdentityDeps& deps, Request& request) {
  auto change = ParseProfileChange(request.body);
  if (!change) co_return Response::Problem(change.error());
  auto user = co_await app::UpdateProfile(deps, CallerOf(request), std::move(*change));
  if (!user) co_return Response::Problem(user.error());
  co_return UserResponse(*user);
}

HandlerResult HandleChangePassword(app::IdentityDeps& deps, Request& request) {
  auto command = ParseChangePasswordBody(request.body);
  if (!command) co_return Response::Problem(command.error());
  auto result = co_await app::ChangePassword(deps, CallerOf(request), std::move(*command));
  if (!result) co_return Response::Problem(result.error());
  co_return Response::NoContent();
}

HandlerResult HandleDeleteMe(app::IdentityDeps& deps, Request& request) {
  auto password = ParsePasswordBody(request.body);
  if (!password) co_return Response::Problem(password.error());
  auto result = co_await app::DeleteAccount(deps, CallerOf(request), std::move(*password));
  if (!result) co_return Response::Problem(result.error());
  co_return Response::NoContent();
}

}  // namespace identity::infra
