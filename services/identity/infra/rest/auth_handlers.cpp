#include "infra/json/user_json.hpp"
#include "infra/rest/handlers.hpp"
#include "infra/rest/request_bodies.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/try.hpp"

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
  TODO_CO_TRY(auto command, ParseRegisterBody(request.body));
  command.request_id = request.request_id;
  command.client_address = platform::http::ClientAddress(request);
  TODO_CO_TRY(auto result, co_await app::RegisterUser(deps, std::move(command)));
  auto response = AuthResponse(201, result);
  response.SetHeader("Location", "/v1/users/me");
  co_return response;
}

boost::asio::awaitable<Response> HandleLogin(app::IdentityDeps& deps, Request& request) {
  TODO_CO_TRY(auto command, ParseLoginBody(request.body));
  command.client_address = platform::http::ClientAddress(request);
  TODO_CO_TRY(auto result, co_await app::LogIn(deps, std::move(command)));
  co_return AuthResponse(200, result);
}

boost::asio::awaitable<Response> HandleRefresh(app::IdentityDeps& deps, Request& request) {
  TODO_CO_TRY(auto token, ParseRefreshTokenBody(request.body));
  TODO_CO_TRY(auto tokens, co_await app::RefreshSession(deps, std::move(token)));
  platform::JsonWriter w;
  w.StartObject();
  w.Key("tokens");
  WriteTokens(w, tokens);
  w.EndObject();
  auto response = Response::Json(200, w.Take());
  response.SetHeader("Cache-Control", "no-store");
  co_return response;
}

boost::asio::awaitable<Response> HandleLogout(app::IdentityDeps& deps, Request& request) {
  TODO_CO_TRY(auto token, ParseRefreshTokenBody(request.body));
  TODO_CO_TRY_VOID(co_await app::LogOut(deps, CallerOf(request), std::move(token)));
  co_return Response::NoContent();
}

}  // namespace identity::infra
