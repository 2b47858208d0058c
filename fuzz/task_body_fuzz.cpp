// Fuzzes the tasks service's request bodies: POST /v1/tasks, PATCH /v1/tasks/{id} and the two
// checklist bodies, through the same parsers and domain rules the handlers use. Invariants: a
// task created from a body, written back as a body (times through the service's own JSON
// writer), creates the same task; a merge patch applied twice gives what it gave once.

#include <cstdio>
#include <string>
#include <vector>

#include "domain/task.hpp"
#include "fuzz_input.hpp"
#include "infra/json/task_json.hpp"
#include "infra/rest/task_body.hpp"
#include "platform/json.hpp"
#include "platform/time.hpp"

namespace {

using tasks::domain::Task;
using tasks::domain::Time;

const Time kNow = Time{std::chrono::milliseconds{1'767'225'600'000}};  // 2026-01-01

tasks::domain::CreateContext Context() {
  tasks::domain::CreateContext context;
  context.id = "0194e0d2-0000-7000-8000-000000000001";
  context.owner_id = "0194e0d2-0000-7000-8000-0000000000aa";
  context.now = kNow;
  for (int i = 0; i < 128; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "0194e0d2-0000-7000-8000-%012d", i);
    context.checklist_ids.emplace_back(id);
  }
  return context;
}

void WriteTimeField(platform::JsonWriter& w, std::string_view key, const std::optional<Time>& t) {
  if (!t) return;
  // The task's own JSON carries the time exactly as the service writes it.
  Task holder;
  holder.due_at = t;
  auto json = tasks::infra::TaskJson(holder);
  auto at = json.find("\"due_at\":\"");
  TODO_FUZZ_CHECK(at != std::string::npos);
  at += 10;
  w.Key(key);
  w.String(std::string_view(json).substr(at, json.find('"', at) - at));
}

// A create body that describes `task` (what a client would send to make it again).
std::string DraftBodyOf(const Task& task) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("title", task.title);
  w.Field("description", task.description);
  w.Field("priority", tasks::domain::ToString(task.priority));
  w.Key("labels");
  w.StartArray();
  for (const auto& label : task.labels) w.String(label);
  w.EndArray();
  if (task.checklist.empty()) {
    w.Field("progress", static_cast<std::int64_t>(task.progress));
  } else {
    w.Key("checklist");
    w.StartArray();
    for (const auto& item : task.checklist) {
      w.StartObject();
      w.Field("text", item.text);
      w.Field("done", item.done);
      w.EndObject();
    }
    w.EndArray();
  }
  WriteTimeField(w, "due_at", task.due_at);
  WriteTimeField(w, "expires_at", task.expires_at);
  w.Field("on_expire", tasks::domain::ToString(task.on_expire));
  w.EndObject();
  return w.Take();
}

void FuzzCreate(std::string_view body) {
  auto draft = tasks::infra::ParseTaskDraft(body);
  if (!draft) return;
  auto task = tasks::domain::CreateTask(*draft, Context());
  if (!task) return;
  auto again_body = DraftBodyOf(*task);
  auto again_draft = tasks::infra::ParseTaskDraft(again_body);
  TODO_FUZZ_CHECK(again_draft.has_value());
  auto again = tasks::domain::CreateTask(*again_draft, Context());
  TODO_FUZZ_CHECK(again.has_value());
  TODO_FUZZ_CHECK(tasks::infra::TaskJson(*again) == tasks::infra::TaskJson(*task));
}

Task BaseTask() {
  tasks::domain::TaskDraft draft;
  draft.title = "base";
  draft.labels = std::vector<std::string>{"home"};
  auto task = tasks::domain::CreateTask(draft, Context());
  TODO_FUZZ_CHECK(task.has_value());
  return *task;
}

// Merge patches are idempotent: the second application changes nothing but the version.
void FuzzPatch(std::string_view body) {
  auto patch = tasks::infra::ParseTaskPatch(body);
  if (!patch) return;
  auto once = tasks::domain::ApplyPatch(BaseTask(), *patch, kNow);
  if (!once) return;
  auto twice = tasks::domain::ApplyPatch(*once, *patch, kNow);
  TODO_FUZZ_CHECK(twice.has_value());
  twice->version = once->version;
  TODO_FUZZ_CHECK(tasks::infra::TaskJson(*twice) == tasks::infra::TaskJson(*once));
}

void FuzzAddItem(std::string_view body) {
  auto text = tasks::infra::ParseChecklistItemText(body);
  if (!text) return;
  auto task = tasks::domain::AddChecklistItem(BaseTask(), Context().checklist_ids[0], *text, kNow);
  if (!task) return;
  TODO_FUZZ_CHECK(task->checklist.size() == 1);
}

void FuzzUpdateItem(std::string_view body) {
  auto change = tasks::infra::ParseChecklistItemChange(body);
  if (!change) return;
  auto base = tasks::domain::AddChecklistItem(BaseTask(), Context().checklist_ids[0], "step", kNow);
  TODO_FUZZ_CHECK(base.has_value());
  std::optional<std::string_view> text;
  if (change->text) text = *change->text;
  auto once =
      tasks::domain::UpdateChecklistItem(*base, base->checklist[0].id, text, change->done, kNow);
  if (!once) return;
  auto twice =
      tasks::domain::UpdateChecklistItem(*once, base->checklist[0].id, text, change->done, kNow);
  TODO_FUZZ_CHECK(twice.has_value());
  twice->version = once->version;
  TODO_FUZZ_CHECK(tasks::infra::TaskJson(*twice) == tasks::infra::TaskJson(*once));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  switch (input.Mode(4)) {
    case 0:
      FuzzCreate(input.Rest());
      break;
    case 1:
      FuzzPatch(input.Rest());
      break;
    case 2:
      FuzzAddItem(input.Rest());
      break;
    default:
      FuzzUpdateItem(input.Rest());
      break;
  }
  return 0;
}
