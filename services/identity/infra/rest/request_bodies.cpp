#include "infra/rest/request_bodies.hpp"

#include "platform/json.hpp"

namespace identity::infra {

using platform::StrictObject;

platform::Result<app::RegisterCommand> ParseRegisterBody(std::string_view text) {
  auto body = StrictObject::Parse(text);
  if (!body) return std::unexpected(body.error());
  auto email = body->RequiredString("email");
  auto password = body->RequiredString("password");
  auto name = body->RequiredString("name");
  if (auto done = body->Finish(); !done) return std::unexpected(done.error());
  return app::RegisterCommand{*email, *password, *name, "", ""};
}

platform::Result<app::LoginCommand> ParseLoginBody(std::string_view text) {
  auto body = StrictObject::Parse(text);
  if (!body) return std::unexpected(body.error());
  auto email = body->RequiredString("email");
  auto password = body->RequiredString("password");
  if (auto done = body->Finish(); !done) return std::unexpected(done.error());
  return app::LoginCommand{*email, *password, ""};
}

platform::Result<std::string> ParseRefreshTokenBody(std::string_view text) {
  auto body = StrictObject::Parse(text);
  if (!body) return std::unexpected(body.error());
  auto token = body->RequiredString("refresh_token");
  if (auto done = body->Finish(); !done) return std::unexpected(done.error());
  return *token;
}

platform::Result<app::ProfileChange> ParseProfileChange(std::string_view text) {
  auto body = StrictObject::Parse(text);
  if (!body) return std::unexpected(body.error());
  app::ProfileChange change;
  auto name = body->PatchString("name");
  auto timezone = body->PatchString("timezone");
  change.default_task_ttl_seconds = body->PatchInt("default_task_ttl_seconds");
  // name and timezone always have a value: null cannot clear them.
  if (name.present && !name.value) body->AddError("name", "must not be null");
  if (timezone.present && !timezone.value) body->AddError("timezone", "must not be null");
  if (auto done = body->Finish(); !done) return std::unexpected(done.error());
  change.name = name.value;
  change.timezone = timezone.value;
  return change;
}

platform::Result<app::ChangePasswordCommand> ParseChangePasswordBody(std::string_view text) {
  auto body = StrictObject::Parse(text);
  if (!body) return std::unexpected(body.error());
  auto current = body->RequiredString("current_password");
  auto next = body->RequiredString("new_password");
  if (auto done = body->Finish(); !done) return std::unexpected(done.error());
  return app::ChangePasswordCommand{*current, *next};
}

platform::Result<std::string> ParsePasswordBody(std::string_view text) {
  auto body = StrictObject::Parse(text);
  if (!body) return std::unexpected(body.error());
  auto password = body->RequiredString("password");
  if (auto done = body->Finish(); !done) return std::unexpected(done.error());
  return *password;
}

}  // namespace identity::infra
