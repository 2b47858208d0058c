#include "infra/json/task_json.hpp"

#include <rapidjson/document.h>

#include "platform/time.hpp"

namespace tasks::infra {
namespace {

void WriteTime(platform::JsonWriter& w, std::string_view key,
               const std::optional<domain::Time>& t) {
  w.Key(key);
  if (!t) {
    w.Null();
  } else if (auto text = platform::FormatTimestampText(*t)) {
    w.String(text->view());
  } else {
    w.String(platform::FormatTimestamp(*t));
  }
}

void WriteChecklist(platform::JsonWriter& w, const std::vector<domain::ChecklistItem>& items) {
  w.StartArray();
  for (const auto& item : items) {
    w.StartObject();
    w.Field("id", item.id);
    w.Field("text", item.text);
    w.Field("done", item.done);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

void WriteTask(platform::JsonWriter& w, const domain::Task& task, bool with_owner) {
  w.StartObject();
  w.Field("id", task.id);
  if (with_owner) w.Field("owner_id", task.owner_id);
  w.Field("title", task.title);
  w.Field("description", task.description);
  w.Field("status", domain::ToString(task.status));
  w.Field("progress", task.progress);
  w.Field("priority", domain::ToString(task.priority));
  w.Key("labels");
  w.StartArray();
  for (const auto& label : task.labels) w.String(label);
  w.EndArray();
  w.Key("checklist");
  WriteChecklist(w, task.checklist);
  WriteTime(w, "due_at", task.due_at);
  WriteTime(w, "expires_at", task.expires_at);
  w.Field("on_expire", domain::ToString(task.on_expire));
  WriteTime(w, "completed_at", task.completed_at);
  WriteTime(w, "expired_at", task.expired_at);
  WriteTime(w, "created_at", task.created_at);
  WriteTime(w, "updated_at", task.updated_at);
  w.Field("version", task.version);
  w.EndObject();
}

std::string TaskJson(const domain::Task& task) {
  platform::JsonWriter w;
  WriteTask(w, task);
  return w.Take();
}

std::string TaskEventJson(const domain::Task& task) {
  platform::JsonWriter w;
  WriteTask(w, task, true);
  return w.Take();
}

std::string ChecklistJson(const std::vector<domain::ChecklistItem>& checklist) {
  platform::JsonWriter w;
  WriteChecklist(w, checklist);
  return w.Take();
}

std::string StringArrayJson(const std::vector<std::string>& values) {
  platform::JsonWriter w;
  w.StartArray();
  for (const auto& v : values) w.String(v);
  w.EndArray();
  return w.Take();
}

std::optional<std::vector<std::string>> ParseStringArrayJson(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsArray()) return std::nullopt;
  std::vector<std::string> values;
  values.reserve(doc.Size());
  for (const auto& v : doc.GetArray()) {
    if (!v.IsString()) return std::nullopt;
    values.emplace_back(v.GetString(), v.GetStringLength());
  }
  return values;
}

std::optional<std::vector<domain::ChecklistItem>> ParseChecklistJson(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsArray()) return std::nullopt;
  std::vector<domain::ChecklistItem> items;
  items.reserve(doc.Size());
  for (const auto& v : doc.GetArray()) {
    if (!v.IsObject() || !v.HasMember("id") || !v["id"].IsString() || !v.HasMember("text") ||
        !v["text"].IsString()) {
      return std::nullopt;
    }
    items.push_back({std::string(v["id"].GetString(), v["id"].GetStringLength()),
                     std::string(v["text"].GetString(), v["text"].GetStringLength()),
                     v.HasMember("done") && v["done"].IsTrue()});
  }
  return items;
}

}  // namespace tasks::infra
