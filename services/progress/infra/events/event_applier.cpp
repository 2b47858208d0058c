#include "infra/events/event_applier.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>

#include "domain/progress.hpp"
#include "infra/pg/progress_queries.hpp"

namespace progress::infra {

namespace pg = platform::pg;
namespace q = queries;

namespace {

pg::DbError Malformed(std::string what) { return pg::DbError{"", "malformed event: " + what}; }

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

pg::DbResult<void> ApplyTaskEvent(pg::Connection& tx, domain::EventKind kind,
                                  const rapidjson::Document& event, std::uint64_t seq) {
  const auto& data = event["data"];
  auto event_id = Text(event, "id");
  auto at = Text(event, "time");
  auto task_id = Text(data, "id");
  auto owner_id = Text(data, "owner_id");
  if (!event_id || !at || !task_id || !owner_id || !event["entityversion"].IsInt64()) {
    return std::unexpected(Malformed("a task event needs id, time, data.id and data.owner_id"));
  }
  auto forgotten = tx.Execute(q::kIsForgotten, {*owner_id});
  if (!forgotten) return std::unexpected(forgotten.error());
  if (!forgotten->Empty()) return {};  // the person is gone: nothing of theirs is kept
  std::string version = std::to_string(event["entityversion"].GetInt64());
  pg::Param title;
  pg::Param task_json;
  pg::Param completed_at;
  if (kind == domain::EventKind::kDeleted) {
    if (auto d = tx.Execute(q::kDeleteTask, {*task_id, *owner_id, version}); !d) {
      return std::unexpected(d.error());
    }
  } else {
    title = Text(data, "title");
    auto status = Text(data, "status");
    if (!title || !status || !data.HasMember("progress") || !data["progress"].IsInt()) {
      return std::unexpected(Malformed("a task's state needs title, status and progress"));
    }
    auto u =
        tx.Execute(q::kUpsertTask, {*task_id, *owner_id, *title, *status,
                                    std::to_string(data["progress"].GetInt()), Text(data, "due_at"),
                                    Text(data, "expires_at"), Text(data, "completed_at"), version});
    if (!u) return std::unexpected(u.error());
    task_json = Serialise(data);
    if (*status == "done") completed_at = Text(data, "completed_at");
  }
  auto a = tx.Execute(q::kInsertActivity, {std::to_string(seq), *event_id, *owner_id,
                                           std::string(domain::ToString(kind)), *task_id, title,
                                           *at, task_json, completed_at});
  if (!a) return std::unexpected(a.error());
  return {};
}

pg::DbResult<void> ApplyUserEvent(pg::Connection& tx, std::string_view subject,
                                  const rapidjson::Document& event) {
  const auto& data = event["data"];
  auto user_id = Text(data, "id");
  if (!user_id || !event["entityversion"].IsInt64()) {
    return std::unexpected(Malformed("a user event needs data.id and entityversion"));
  }
  std::string version = std::to_string(event["entityversion"].GetInt64());
  if (subject == "todo.user.deleted") {
    for (const auto* query : {&q::kForgetTasks, &q::kForgetActivity, &q::kForgetPerson}) {
      if (auto r = tx.Execute(*query, {*user_id}); !r) return std::unexpected(r.error());
    }
    if (auto r = tx.Execute(q::kRememberForgotten, {*user_id, version}); !r) {
      return std::unexpected(r.error());
    }
    return {};
  }
  if (subject == "todo.user.created" || subject == "todo.user.updated") {
    // A profile older than the deletion, arriving after it (a retried delivery), must not
    // bring the person back.
    auto forgotten = tx.Execute(q::kIsForgotten, {*user_id});
    if (!forgotten) return std::unexpected(forgotten.error());
    if (!forgotten->Empty()) return {};
    std::string timezone = Text(data, "timezone").value_or("UTC");
    if (auto r = tx.Execute(q::kUpsertPerson, {*user_id, timezone, version}); !r) {
      return std::unexpected(r.error());
    }
  }
  return {};  // other user events say nothing progress needs
}

}  // namespace

pg::DbResult<void> EventApplier::Apply(pg::Connection& conn, std::string_view subject,
                                       std::string_view payload, std::uint64_t stream_seq) {
  return conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<void> {
    return ApplyIn(tx, subject, payload, stream_seq);
  });
}

pg::DbResult<void> EventApplier::ApplyIn(pg::Connection& tx, std::string_view /*subject*/,
                                         std::string_view payload, std::uint64_t stream_seq) {
  rapidjson::Document event;
  event.Parse(payload.data(), payload.size());
  if (event.HasParseError() || !event.IsObject() || !event.HasMember("data") ||
      !event["data"].IsObject() || !event.HasMember("entityversion")) {
    return std::unexpected(Malformed("not a CloudEvents envelope with data"));
  }
  // The type comes from the envelope, not the subject: a stream may carry events under any
  // subject prefix (the tests use streams of their own).
  auto type = Text(event, "type").value_or("");
  auto kind = domain::ParseTaskEventType(type);
  bool user_event = type.starts_with("todo.user.");
  if (!kind && !user_event) return {};  // not ours to fold
  if (kind) return ApplyTaskEvent(tx, *kind, event, stream_seq);
  return ApplyUserEvent(tx, type, event);
}

}  // namespace progress::infra
