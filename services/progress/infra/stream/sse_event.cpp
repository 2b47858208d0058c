#include "infra/stream/sse_event.hpp"

#include "platform/time.hpp"

namespace progress::infra {

void WriteItemFields(platform::JsonWriter& w, const app::ActivityItem& item) {
  w.Field("id", item.event_id);
  w.Field("type", std::string(domain::ToString(item.kind)));
  w.Field("task_id", item.task_id);
  w.Field("title", item.title);
  w.Field("at", platform::FormatTimestamp(item.at));
}

std::string SseEvent(const app::ActivityItem& item) {
  platform::JsonWriter w;
  w.StartObject();
  WriteItemFields(w, item);
  w.Key("task");
  w.Raw(item.task_json);
  w.EndObject();
  return "id: " + std::to_string(item.seq) +
         "\nevent: " + std::string(domain::ToString(item.kind)) + "\ndata: " + w.Take() + "\n\n";
}

}  // namespace progress::infra
