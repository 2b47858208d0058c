#include "infra/events/task_batch.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "infra/pg/queries.hpp"
#include "platform/pg/array_literal.hpp"
#include "platform/try.hpp"

namespace progress::infra {

namespace pg = platform::pg;
namespace q = queries;

namespace {

using Column = std::vector<std::string>;
using NullableColumn = std::vector<std::optional<std::string>>;

pg::DbResult<std::unordered_set<std::string>> ForgottenOwners(pg::Connection& tx,
                                                              std::span<const SequencedTask> run) {
  std::unordered_set<std::string> owners;
  for (const auto& item : run) owners.insert(item.change->owner_id);
  TODO_TRY(auto rows, tx.Execute(q::kForgottenAmong,
                                 {pg::ArrayLiteral(Column(owners.begin(), owners.end()))}));
  std::unordered_set<std::string> forgotten;
  for (int i = 0; i < rows.Size(); ++i) {
    TODO_TRY(auto id, rows.At(i).Text("user_id"));
    forgotten.insert(std::move(id));
  }
  return forgotten;
}

// What the batch leaves of each task: its newest event, and the last title it was given (a
// deletion's activity shows it).
struct Latest {
  const TaskChange* change = nullptr;
  std::optional<std::string> title;
};

pg::DbResult<void> WriteStates(pg::Connection& tx,
                               const std::unordered_map<std::string, Latest>& latest) {
  Column ids, owners, titles, statuses, progress, versions;
  NullableColumn due, expires, completed;
  Column dead_ids, dead_owners, dead_titles, dead_versions;
  for (const auto& [id, last] : latest) {
    const TaskChange& c = *last.change;
    if (!c.state) {
      dead_ids.push_back(id);
      dead_owners.push_back(c.owner_id);
      dead_titles.push_back(last.title.value_or(""));
      dead_versions.push_back(std::to_string(c.version));
      continue;
    }
    ids.push_back(id);
    owners.push_back(c.owner_id);
    titles.push_back(c.state->title);
    statuses.push_back(c.state->status);
    progress.push_back(std::to_string(c.state->progress));
    due.push_back(c.state->due_at);
    expires.push_back(c.state->expires_at);
    completed.push_back(c.state->completed_at);
    versions.push_back(std::to_string(c.version));
  }
  if (!ids.empty()) {
    TODO_TRY_VOID(
        tx.Execute(q::kFoldTaskStates,
                   {pg::ArrayLiteral(ids), pg::ArrayLiteral(owners), pg::ArrayLiteral(titles),
                    pg::ArrayLiteral(statuses), pg::ArrayLiteral(progress),
                    pg::NullableArrayLiteral(due), pg::NullableArrayLiteral(expires),
                    pg::NullableArrayLiteral(completed), pg::ArrayLiteral(versions)}));
  }
  if (!dead_ids.empty()) {
    TODO_TRY_VOID(tx.Execute(q::kFoldTaskTombstones,
                             {pg::ArrayLiteral(dead_ids), pg::ArrayLiteral(dead_owners),
                              pg::ArrayLiteral(dead_titles), pg::ArrayLiteral(dead_versions)}));
  }
  return {};
}

// ActivityRows: the activity statement's columns, one element per event.
struct ActivityRows {
  Column seqs, event_ids, owners, kinds, task_ids, ats;
  NullableColumn titles, tasks, completed;

  void Add(const SequencedTask& item, std::optional<std::string> title) {
    const TaskChange& c = *item.change;
    seqs.push_back(std::to_string(item.seq));
    event_ids.push_back(c.event_id);
    owners.push_back(c.owner_id);
    kinds.emplace_back(domain::ToString(c.kind));
    task_ids.push_back(c.task_id);
    ats.push_back(c.at);
    titles.push_back(std::move(title));
    tasks.push_back(c.state ? std::optional(c.state->json) : std::nullopt);
    completed.push_back(c.state && c.state->status == "done" ? c.state->completed_at
                                                             : std::nullopt);
  }

  pg::DbResult<void> Write(pg::Connection& tx) const {
    if (seqs.empty()) return {};
    TODO_TRY_VOID(
        tx.Execute(q::kFoldActivity,
                   {pg::ArrayLiteral(seqs), pg::ArrayLiteral(event_ids), pg::ArrayLiteral(owners),
                    pg::ArrayLiteral(kinds), pg::ArrayLiteral(task_ids),
                    pg::NullableArrayLiteral(titles), pg::ArrayLiteral(ats),
                    pg::NullableArrayLiteral(tasks), pg::NullableArrayLiteral(completed)}));
    return {};
  }
};

}  // namespace

pg::DbResult<void> FoldTasks(pg::Connection& tx, std::span<const SequencedTask> run,
                             bool with_activity) {
  if (run.empty()) return {};
  TODO_TRY(auto forgotten, ForgottenOwners(tx, run));
  std::unordered_map<std::string, Latest> latest;
  ActivityRows activity;
  for (const auto& item : run) {
    const TaskChange& c = *item.change;
    if (forgotten.contains(c.owner_id)) continue;
    Latest& last = latest[c.task_id];
    // A deletion shows the title the task had before it (its own when the event names it); a
    // state shows its own.
    std::optional<std::string> title = c.state           ? std::optional(c.state->title)
                                       : c.deleted_title ? c.deleted_title
                                                         : last.title;
    if (with_activity) activity.Add(item, title);
    if (title) last.title = title;
    if (last.change == nullptr || last.change->version < c.version) last.change = &c;
  }
  TODO_TRY_VOID(WriteStates(tx, latest));
  if (with_activity) TODO_TRY_VOID(activity.Write(tx));
  return {};
}

}  // namespace progress::infra
