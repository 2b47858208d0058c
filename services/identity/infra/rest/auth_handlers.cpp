#include "infra/rest/handlers.hpp"
#include "infra/rest/request_bodies.hpp"
#include "infra/json/user_json.hpp"
#include "platform/auth/auth_guard.hpp"

namespace identity::infra {

using platform::http::Request;
using platform::http::Response;

namespace {

void WriteTokens(platform::JsonWriter& w, const app::Tokens& tokens) {
  w.StartObject();
  w.Field("access_token", tokens.access_token);
  w.Field("refresh_token", tokens.refresh_token);
  w.Field("token_type", "Bearer");
  w.Field("expires_in", tokens.expires_in);
  w.EndObject();
}

Response AuthResponse(int status, const app::AuthResult& result) {
  platform::JsonWriter w;
  w.StartObject();
  w.Key("user");
  WriteUser(w, result.user);
  w.Key("tokens");
  WriteTokens(w, result.tokens);
  w.EndObject();
  auto response = Response::Json(status, w.Take());
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

}  // namespace

boost::asio::awaitable<Response> HandleRegister(app::IdentityDeps& deps, Request& request) {
  auto command = ParseRegisterBody(request.body);
  if (!command) co_return Response::Problem(command.error());
  command->request_id = request.request_id;
  command->client_address = platform::http::ClientAddress(request);
  auto result = co_await app::RegisterUser(deps, std::move(*command));
  if (!result) co_return Response::Problem(result.error());
  auto response = AuthResponse(201, *result);
  response.SetHeader("Location", "/v1/users/me");
  co_return response;
}

boost::asio::awaitable<Response> HandleLogin(app::IdentityDeps& deps, Request& request) {
  auto command = ParseLoginBody(request.body);
  if (!command) co_return Response::Problem(command.error());
  command->client_address = platform::http::ClientAddress(request);
  auto result = co_await app::LogIn(deps, std::move(*command));
  if (!result) co_return Response::Problem(result.error());
  co_return AuthResponse(200, *result);
}

boost::asio::awaitable<Response> HandleRefresh(app::IdentityDeps& deps, Request& request) {
  auto token = ParseRefreshTokenBody(request.body);
  if (!token) co_return Response::Problem(token.error());
  auto tokens = co_await app::RefreshSession(deps, std::move(*token));
  if (!tokens) co_return Response::Problem(tokens.error());
  platform::JsonWriter w;
  w.StartObject();
  w.Key("tokens");
  WriteTokens(w, *tokens);
  w.EndObject();
  auto response = Response::Json(200, w.Take());
  response.SetHeader("Cache-Control", "no-store");
  co_return response;
}

boost::asio::awaitable<Response> HandleLogout(app::IdentityDeps& deps, Request& request) {
  auto token = ParseRefreshTokenBody(request.body);
  if (!token) co_return Response::Problem(token.error());
  auto result = co_await app::LogOut(deps, CallerOf(request), std::move(*token));
  if (!result) co_return Response::Problem(result.error());
  co_return Response::NoContent();
}

}  // namespace identity::infra
