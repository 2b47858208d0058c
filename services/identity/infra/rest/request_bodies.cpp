#include "infra/rest/request_bodies.hpp"

#include "platform/json.hpp"
#include "platform/try.hpp"

namespace identity::infra {

using platform::StrictObject;

platform::Result<app::RegisterCommand> ParseRegisterBody(std::string_view text) {
  TODO_TRY(auto body, StrictObject::Parse(text));
  auto email = body.RequiredString("email");
  auto password = body.RequiredString("password");
  auto name = body.RequiredString("name");
  TODO_TRY_VOID(body.Finish());
  return app::RegisterCommand{*email, *password, *name, "", ""};
}

platform::Result<app::LoginCommand> ParseLoginBody(std::string_view text) {
  TODO_TRY(auto body, StrictObject::Parse(text));
  auto email = body.RequiredString("email");
  auto password = body.RequiredString("password");
  TODO_TRY_VOID(body.Finish());
  return app::LoginCommand{*email, *password, ""};
}

platform::Result<std::string> ParseRefreshTokenBody(std::string_view text) {
  TODO_TRY(auto body, StrictObject::Parse(text));
  auto token = body.RequiredString("refresh_token");
  TODO_TRY_VOID(body.Finish());
  return *token;
}

platform::Result<app::ProfileChange> ParseProfileChange(std::string_view text) {
  TODO_TRY(auto body, StrictObject::Parse(text));
  app::ProfileChange change;
  auto name = body.PatchString("name");
  auto timezone = body.PatchString("timezone");
  change.default_task_ttl_seconds = body.PatchInt("default_task_ttl_seconds");
  // name and timezone always have a value: null cannot clear them.
  if (name.present && !name.value) body.AddError("name", "must not be null");
  if (timezone.present && !timezone.value) body.AddError("timezone", "must not be null");
  TODO_TRY_VOID(body.Finish());
  change.name = name.value;
  change.timezone = timezone.value;
  return change;
}

platform::Result<app::ChangePasswordCommand> ParseChangePasswordBody(std::string_view text) {
  TODO_TRY(auto body, StrictObject::Parse(text));
  auto current = body.RequiredString("current_password");
  auto next = body.RequiredString("new_password");
  TODO_TRY_VOID(body.Finish());
  return app::ChangePasswordCommand{*current, *next};
}

platform::Result<std::string> ParsePasswordBody(std::string_view text) {
  TODO_TRY(auto body, StrictObject::Parse(text));
  auto password = body.RequiredString("password");
  TODO_TRY_VOID(body.Finish());
  return *password;
}

}  // namespace identity::infra
