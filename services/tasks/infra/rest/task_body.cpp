#include "infra/rest/task_body.hpp"

#include <array>

#include "platform/check.hpp"
#include "platform/json.hpp"
#include "platform/time.hpp"
#include "platform/try.hpp"

namespace tasks::infra {

using platform::StrictObject;

namespace {

// Fields of the task object that a client never writes.
constexpr std::array<std::string_view, 8> kReadOnly = {"id",         "status",     "completed_at",
                                                       "expired_at", "created_at", "updated_at",
                                                       "version",    "owner_id"};

void RefuseReadOnly(StrictObject& body) {
  for (auto field : kReadOnly) {
    if (body.Has(field)) {
      body.AddError(std::string(field), field == "status"
                                            ? "is read-only: use progress, complete or reopen"
                                            : "is read-only");
      body.MarkSeen(field);  // reported once, as read-only, not again as unknown
    }
  }
}

std::optional<domain::Time> ReadTime(StrictObject& body, std::string_view field) {
  auto text = body.PatchString(field);
  if (!text.present || !text.value) return std::nullopt;
  auto parsed = platform::ParseTimestamp(*text.value);
  if (!parsed)
    body.AddError(std::string(field), "must be an RFC 3339 time in the years 1970 to 9999");
  return parsed;
}

platform::Patch<domain::Time> PatchTime(StrictObject& body, std::string_view field) {
  auto text = body.PatchString(field);
  if (!text.present) return {};
  if (!text.value) return {true, std::nullopt};
  auto parsed = platform::ParseTimestamp(*text.value);
  if (!parsed) {
    body.AddError(std::string(field), "must be an RFC 3339 time in the years 1970 to 9999");
    return {};
  }
  return {true, *parsed};
}

}  // namespace

platform::Result<domain::TaskDraft> ParseTaskDraft(std::string_view body_text) {
  TODO_TRY(auto body, StrictObject::Parse(body_text));
  RefuseReadOnly(body);
  domain::TaskDraft draft;
  auto title = body.RequiredString("title");
  if (title) draft.title = *title;
  draft.description = body.OptionalString("description");
  draft.priority = body.OptionalString("priority");
  draft.labels = body.OptionalStringArray("labels");
  draft.progress = body.OptionalInt("progress");
  if (auto items = body.OptionalObjectArray("checklist")) {
    std::vector<domain::NewChecklistItem> checklist;
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto& item = (*items)[i];
      auto text = item.RequiredString("text");
      auto done = item.OptionalBool("done");
      auto finished = item.Finish();
      if (!finished) {
        for (const auto& e : finished.error().errors) {
          body.AddError("checklist[" + std::to_string(i) + "]." + e.field, e.message);
        }
        continue;
      }
      checklist.push_back({text.value_or(""), done.value_or(false)});
    }
    draft.checklist = std::move(checklist);
  }
  draft.due_at = ReadTime(body, "due_at");
  draft.expires_at = ReadTime(body, "expires_at");
  draft.ttl_seconds = body.OptionalInt("ttl_seconds");
  draft.on_expire = body.OptionalString("on_expire");
  TODO_TRY_VOID(body.Finish());
  return draft;
}

platform::Result<domain::TaskPatch> ParseTaskPatch(std::string_view body_text) {
  TODO_TRY(auto body, StrictObject::Parse(body_text));
  RefuseReadOnly(body);
  if (body.Has("checklist")) {
    body.AddError("checklist", "is changed through /v1/tasks/{id}/checklist");
    body.MarkSeen("checklist");
  }
  domain::TaskPatch patch;
  patch.title = body.PatchString("title");
  patch.description = body.PatchString("description");
  patch.progress = body.PatchInt("progress");
  patch.priority = body.PatchString("priority");
  patch.labels = body.PatchStringArray("labels");
  patch.due_at = PatchTime(body, "due_at");
  patch.expires_at = PatchTime(body, "expires_at");
  patch.ttl_seconds = body.PatchInt("ttl_seconds");
  patch.on_expire = body.PatchString("on_expire");
  TODO_TRY_VOID(body.Finish());
  return patch;
}

platform::Result<std::string> ParseChecklistItemText(std::string_view body_text) {
  TODO_TRY(auto body, StrictObject::Parse(body_text));
  auto text = body.RequiredString("text");
  TODO_TRY_VOID(body.Finish());
  // A missing or mistyped required field is an error that Finish reports.
  TODO_CHECK(text.has_value(), "a finished body holds its required text");
  return std::move(*text);
}

platform::Result<ChecklistItemChange> ParseChecklistItemChange(std::string_view body_text) {
  TODO_TRY(auto body, StrictObject::Parse(body_text));
  auto text = body.PatchString("text");
  auto done = body.OptionalBool("done");
  if (text.present && !text.value) body.AddError("text", "must not be null");
  TODO_TRY_VOID(body.Finish());
  return ChecklistItemChange{std::move(text.value), done};
}

}  // namespace tasks::infra
