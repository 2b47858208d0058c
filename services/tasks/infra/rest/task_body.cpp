#include "infra/rest/task_body.hpp"

#include <array>

#include "platform/json.hpp"
#include "platform/time.hpp"

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

domain::Field<domain::Time> PatchTime(StrictObject& body, std::string_view field) {
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

template <typename T>
domain::Field<T> ToField(platform::Patch<T> patch) {
  return {patch.present, std::move(patch.value)};
}

}  // namespace

platform::Result<domain::TaskDraft> ParseTaskDraft(std::string_view body_text) {
  auto body = StrictObject::Parse(body_text);
  if (!body) return std::unexpected(body.error());
  RefuseReadOnly(*body);
  domain::TaskDraft draft;
  auto title = body->RequiredString("title");
  if (title) draft.title = *title;
  draft.description = body->OptionalString("description");
  draft.priority = body->OptionalString("priority");
  draft.labels = body->OptionalStringArray("labels");
  draft.progress = body->OptionalInt("progress");
  if (auto items = body->OptionalObjectArray("checklist")) {
    std::vector<domain::NewChecklistItem> checklist;
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto& item = (*items)[i];
      auto text = item.RequiredString("text");
      auto done = item.OptionalBool("done");
      auto finished = item.Finish();
      if (!finished) {
        for (const auto& e : finished.error().errors) {
          body->AddError("checklist[" + std::to_string(i) + "]." + e.field, e.message);
        }
        continue;
      }
      checklist.push_back({text.value_or(""), done.value_or(false)});
    }
    draft.checklist = std::move(checklist);
  }
  draft.due_at = ReadTime(*body, "due_at");
  draft.expires_at = ReadTime(*body, "expires_at");
  draft.ttl_seconds = body->OptionalInt("ttl_seconds");
  draft.on_expire = body->OptionalString("on_expire");
  if (auto done = body->Finish(); !done) return std::unexpected(done.error());
  return draft;
}

platform::Result<domain::TaskPatch> ParseTaskPatch(std::string_view body_text) {
  auto body = StrictObject::Parse(body_text);
  if (!body) return std::unexpected(body.error());
  RefuseReadOnly(*body);
  if (body->Has("checklist")) {
    body->AddError("checklist", "is changed through /v1/tasks/{id}/checklist");
    body->MarkSeen("checklist");
  }
  domain::TaskPatch patch;
  patch.title = ToField(body->PatchString("title"));
  patch.description = ToField(body->PatchString("description"));
  patch.progress = ToField(body->PatchInt("progress"));
  patch.priority = ToField(body->PatchString("priority"));
  patch.labels = ToField(body->PatchStringArray("labels"));
  patch.due_at = PatchTime(*body, "due_at");
  patch.expires_at = PatchTime(*body, "expires_at");
  patch.ttl_seconds = ToField(body->PatchInt("ttl_seconds"));
  patch.on_expire = ToField(body->PatchString("on_expire"));
  if (auto done = body->Finish(); !done) return std::unexpected(done.error());
  return patch;
}

platform::Result<std::string> ParseChecklistItemText(std::string_view body_text) {
  auto body = StrictObject::Parse(body_text);
  if (!body) return std::unexpected(body.error());
  auto text = body->RequiredString("text");
  if (auto done = body->Finish(); !done) return std::unexpected(done.error());
  return *text;
}

platform::Result<ChecklistItemChange> ParseChecklistItemChange(std::string_view body_text) {
  auto body = StrictObject::Parse(body_text);
  if (!body) return std::unexpected(body.error());
  auto text = body->PatchString("text");
  auto done = body->OptionalBool("done");
  if (text.present && !text.value) body->AddError("text", "must not be null");
  if (auto finished = body->Finish(); !finished) return std::unexpected(finished.error());
  return ChecklistItemChange{std::move(text.value), done};
}

}  // namespace tasks::infra
