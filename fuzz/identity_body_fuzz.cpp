// Fuzzes the identity service's request bodies (register, login, refresh and logout, profile,
// password change, account deletion) through the parsers its handlers call. Invariant: what a
// parser accepts, written back as a body, parses to the same command.

#include "fuzz_input.hpp"
#include "infra/rest/request_bodies.hpp"
#include "platform/json.hpp"

namespace {

using identity::infra::ParseChangePasswordBody;
using identity::infra::ParseLoginBody;
using identity::infra::ParsePasswordBody;
using identity::infra::ParseProfileChange;
using identity::infra::ParseRefreshTokenBody;
using identity::infra::ParseRegisterBody;

// A JSON object of string fields, in the order given.
std::string Body(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  platform::JsonWriter w;
  w.StartObject();
  for (const auto& [key, value] : fields) w.Field(key, value);
  w.EndObject();
  return w.Take();
}

void FuzzRegister(std::string_view body) {
  auto c = ParseRegisterBody(body);
  if (!c) return;
  auto again =
      ParseRegisterBody(Body({{"email", c->email}, {"password", c->password}, {"name", c->name}}));
  TODO_FUZZ_CHECK(again && again->email == c->email && again->password == c->password &&
                  again->name == c->name);
}

void FuzzLogin(std::string_view body) {
  auto c = ParseLoginBody(body);
  if (!c) return;
  auto again = ParseLoginBody(Body({{"email", c->email}, {"password", c->password}}));
  TODO_FUZZ_CHECK(again && again->email == c->email && again->password == c->password);
}

void FuzzRefreshToken(std::string_view body) {
  auto token = ParseRefreshTokenBody(body);
  if (!token) return;
  auto again = ParseRefreshTokenBody(Body({{"refresh_token", *token}}));
  TODO_FUZZ_CHECK(again && *again == *token);
}

void FuzzProfile(std::string_view body) {
  auto change = ParseProfileChange(body);
  if (!change) return;
  platform::JsonWriter w;
  w.StartObject();
  if (change->name) w.Field("name", *change->name);
  if (change->timezone) w.Field("timezone", *change->timezone);
  if (change->default_task_ttl_seconds.present) {
    w.Field("default_task_ttl_seconds", change->default_task_ttl_seconds.value);
  }
  w.EndObject();
  auto again = ParseProfileChange(w.Take());
  TODO_FUZZ_CHECK(again && again->name == change->name && again->timezone == change->timezone &&
                  again->default_task_ttl_seconds.present ==
                      change->default_task_ttl_seconds.present &&
                  again->default_task_ttl_seconds.value == change->default_task_ttl_seconds.value);
}

void FuzzChangePassword(std::string_view body) {
  auto c = ParseChangePasswordBody(body);
  if (!c) return;
  auto again = ParseChangePasswordBody(
      Body({{"current_password", c->current_password}, {"new_password", c->new_password}}));
  TODO_FUZZ_CHECK(again && again->current_password == c->current_password &&
                  again->new_password == c->new_password);
}

void FuzzDeleteAccount(std::string_view body) {
  auto password = ParsePasswordBody(body);
  if (!password) return;
  auto again = ParsePasswordBody(Body({{"password", *password}}));
  TODO_FUZZ_CHECK(again && *again == *password);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  switch (input.Mode(6)) {
    case 0:
      FuzzRegister(input.Rest());
      break;
    case 1:
      FuzzLogin(input.Rest());
      break;
    case 2:
      FuzzRefreshToken(input.Rest());
      break;
    case 3:
      FuzzProfile(input.Rest());
      break;
    case 4:
      FuzzChangePassword(input.Rest());
      break;
    default:
      FuzzDeleteAccount(input.Rest());
      break;
  }
  return 0;
}
