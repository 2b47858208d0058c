#include "infra/events/task_events.hpp"

#include "infra/json/task_json.hpp"
#include "platform/json.hpp"

namespace tasks::infra {

std::string_view TaskChangeEvent(domain::TaskChange change) {
  switch (change) {
    case domain::TaskChange::kUpdated:
      return kTaskUpdated;
    case domain::TaskChange::kCompleted:
      return kTaskCompleted;
    case domain::TaskChange::kReopened:
      return kTaskReopened;
  }
  return kTaskUpdated;
}

platform::bus::EventDraft TaskStateEvent(std::string_view type, const domain::Task& task,
                                         std::string request_id) {
  return {std::string(type), std::string(kTaskEventSource), task.id,
          task.version,      TaskEventJson(task),           std::move(request_id)};
}

platform::bus::EventDraft TaskDeletedEvent(const std::string& id, const std::string& owner_id,
                                           std::int64_t version, DeletedBy by,
                                           std::optional<std::string> title,
                                           std::string request_id) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("id", id);
  w.Field("owner_id", owner_id);
  w.Field("version", version);
  // The last title, so that a feed rebuilt after history was trimmed still names the task; an
  // erased person's titles are not repeated (their data is being forgotten).
  if (title && by != DeletedBy::kOwnerErasure) w.Field("title", *title);
  if (by == DeletedBy::kExpiry) w.Field("reason", "expired");
  w.EndObject();
  return {std::string(kTaskDeleted), std::string(kTaskEventSource), id, version, w.Take(),
          std::move(request_id)};
}

}  // namespace tasks::infra
