#include "platform/auth/session_revoked.hpp"

#include <rapidjson/document.h>

#include <optional>

#include "platform/json.hpp"
#include "platform/uuid.hpp"

namespace platform::auth {
namespace {

std::optional<std::string_view> Text(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

std::string SessionRevokedData(const SessionRevocation& revocation) {
  JsonWriter w;
  w.StartObject();
  w.Field("session_id", revocation.session_id);
  w.Field("user_id", revocation.user_id);
  w.Field("revoked_at", FormatTimestamp(revocation.revoked_at));
  w.Field("until", FormatTimestamp(revocation.until));
  w.EndObject();
  return w.Take();
}

Result<SessionRevocation> ParseSessionRevoked(std::string_view envelope) {
  auto bad = [](std::string detail) {
    return std::unexpected(Error::Validation(std::move(detail)));
  };
  rapidjson::Document event;
  event.Parse(envelope.data(), envelope.size());
  if (event.HasParseError() || !event.IsObject()) return bad("not a JSON object");
  if (Text(event, "type") != kSessionRevokedType) return bad("not a todo.session.revoked event");
  auto data = event.FindMember("data");
  if (data == event.MemberEnd() || !data->value.IsObject()) return bad("no data object");
  auto session_id = Text(data->value, "session_id");
  auto user_id = Text(data->value, "user_id");
  auto revoked_at_text = Text(data->value, "revoked_at");
  auto until_text = Text(data->value, "until");
  if (!session_id || !IsUuid(*session_id)) return bad("session_id is not a UUID");
  if (!revoked_at_text || !until_text) return bad("revoked_at or until is missing");
  auto revoked_at = ParseTimestamp(*revoked_at_text);
  auto until = ParseTimestamp(*until_text);
  if (!revoked_at || !until) return bad("revoked_at or until is not an RFC 3339 time");
  return SessionRevocation{std::string(*session_id), std::string(user_id.value_or("")), *revoked_at,
                           *until};
}

}  // namespace platform::auth
