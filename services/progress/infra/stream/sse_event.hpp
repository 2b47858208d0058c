#pragma once
// How the activity feed and the live stream write an activity item.

#include <string>

#include "app/ports.hpp"
#include "platform/json.hpp"

namespace progress::infra {

// The fields an activity item shows in GET /v1/activity and in each stream event.
void WriteItemFields(platform::JsonWriter& w, const app::ActivityItem& item);

// One Server-Sent Event: the stream sequence as its id, the kind as its event name, and the
// feed item with the task's state after the event as data (one line: JSON has no raw newlines).
std::string SseEvent(const app::ActivityItem& item);

}  // namespace progress::infra
