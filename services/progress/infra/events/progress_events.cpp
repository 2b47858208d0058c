#include "infra/events/progress_events.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace progress::infra {

namespace {

constexpr std::string_view kUserEventPrefix = "todo.user.";

std::unexpected<MalformedEvent> Malformed(std::string problem) {
  return std::unexpected(MalformedEvent{std::move(problem)});
}

std::optional<std::string> Text(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString()) {
    return std::nullopt;
  }
  return std::string(object[name].GetString(), object[name].GetStringLength());
}

std::string Serialise(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::expected<ConsumedEvent, MalformedEvent> ReadTaskEvent(domain::EventKind kind,
                                                           const rapidjson::Document& event) {
  const auto& data = event["data"];
  auto event_id = Text(event, "id");
  auto at = Text(event, "time");
  auto task_id = Text(data, "id");
  auto owner_id = Text(data, "owner_id");
  if (!event_id || !at || !task_id || !owner_id || !event["entityversion"].IsInt64()) {
    return Malformed("a task event needs id, time, data.id and data.owner_id");
  }
  TaskChange change{kind,
                    std::move(*event_id),
                    std::move(*at),
                    std::move(*task_id),
                    std::move(*owner_id),
                    event["entityversion"].GetInt64(),
                    std::nullopt,
                    std::nullopt};
  if (kind == domain::EventKind::kDeleted) {
    change.deleted_title = Text(data, "title");
    return change;
  }
  auto title = Text(data, "title");
  auto status = Text(data, "status");
  if (!title || !status || !data.HasMember("progress") || !data["progress"].IsInt()) {
    return Malformed("a task's state needs title, status and progress");
  }
  change.state =
      TaskSnapshot{std::move(*title),    std::move(*status),       data["progress"].GetInt(),
                   Text(data, "due_at"), Text(data, "expires_at"), Text(data, "completed_at"),
                   Serialise(data)};
  return change;
}

std::expected<ConsumedEvent, MalformedEvent> ReadUserEvent(std::string_view type,
                                                           const rapidjson::Document& event) {
  const auto& data = event["data"];
  auto user_id = Text(data, "id");
  if (!user_id || !event["entityversion"].IsInt64()) {
    return Malformed("a user event needs data.id and entityversion");
  }
  UserChange change;
  change.user_id = std::move(*user_id);
  change.version = event["entityversion"].GetInt64();
  if (type == "todo.user.deleted") {
    change.kind = UserChange::Kind::kDeleted;
  } else if (type == "todo.user.created" || type == "todo.user.updated") {
    change.kind = UserChange::Kind::kProfile;
    change.timezone = Text(data, "timezone").value_or("UTC");
  }
  return change;  // other user events say nothing progress needs
}

}  // namespace

std::expected<ConsumedEvent, MalformedEvent> ReadEvent(std::string_view payload) {
  rapidjson::Document event;
  event.Parse(payload.data(), payload.size());
  if (event.HasParseError() || !event.IsObject() || !event.HasMember("data") ||
      !event["data"].IsObject() || !event.HasMember("entityversion")) {
    return Malformed("not a CloudEvents envelope with data");
  }
  auto type = Text(event, "type").value_or("");
  if (auto kind = domain::ParseTaskEventType(type)) return ReadTaskEvent(*kind, event);
  if (type.starts_with(kUserEventPrefix)) return ReadUserEvent(type, event);
  return IgnoredEvent{};  // not ours to fold
}

}  // namespace progress::infra
