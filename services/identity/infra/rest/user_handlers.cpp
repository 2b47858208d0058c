#include "infra/rest/handlers.hpp"
#include "infra/user_json.hpp"
#include "platform/http/auth_guard.hpp"

namespace identity::infra {

using platform::StrictObject;
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
  auto body = StrictObject::Parse(request.body);
  if (!body) co_return Response::Problem(body.error());
  app::ProfileChange change;
  auto name = body->PatchString("name");
  auto timezone = body->PatchString("timezone");
  change.default_task_ttl_seconds = body->PatchInt("default_task_ttl_seconds");
  // name and timezone always have a value: null cannot clear them.
  if (name.present && !name.value) body->AddError("name", "must not be null");
  if (timezone.present && !timezone.value) body->AddError("timezone", "must not be null");
  if (auto done = body->Finish(); !done) co_return Response::Problem(done.error());
  change.name = name.value;
  change.timezone = timezone.value;
  auto user = co_await app::UpdateProfile(deps, CallerOf(request), std::move(change));
  if (!user) co_return Response::Problem(user.error());
  co_return UserResponse(*user);
}

HandlerResult HandleChangePassword(app::IdentityDeps& deps, Request& request) {
  auto body = StrictObject::Parse(request.body);
  if (!body) co_return Response::Problem(body.error());
  auto current = body->RequiredString("current_password");
  auto next = body->RequiredString("new_password");
  if (auto done = body->Finish(); !done) co_return Response::Problem(done.error());
  app::ChangePasswordCommand command{*current, *next};
  auto result = co_await app::ChangePassword(deps, CallerOf(request), std::move(command));
  if (!result) co_return Response::Problem(result.error());
  co_return Response::NoContent();
}

HandlerResult HandleDeleteMe(app::IdentityDeps& deps, Request& request) {
  auto body = StrictObject::Parse(request.body);
  if (!body) co_return Response::Problem(body.error());
  auto password = body->RequiredString("password");
  if (auto done = body->Finish(); !done) co_return Response::Problem(done.error());
  auto result = co_await app::DeleteAccount(deps, CallerOf(request), *password);
  if (!result) co_return Response::Problem(result.error());
  co_return Response::NoContent();
}

}  // namespace identity::infra
