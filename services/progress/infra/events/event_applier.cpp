#include "infra/events/event_applier.hpp"

#include <optional>
#include <string>

#include "infra/pg/queries.hpp"
#include "platform/try.hpp"

namespace progress::infra {

namespace pg = platform::pg;
namespace q = queries;

namespace {

// Whether the person was deleted: nothing of theirs is kept, and nothing older than the
// deletion (a retried delivery) brings them back.
pg::DbResult<bool> IsForgotten(pg::Connection& tx, const std::string& user_id) {
  TODO_TRY(auto rows, tx.Execute(q::kIsForgotten, {user_id}));
  return !rows.Empty();
}

pg::DbResult<void> FoldTask(pg::Connection& tx, const TaskChange& change, std::uint64_t seq) {
  TODO_TRY(bool forgotten, IsForgotten(tx, change.owner_id));
  if (forgotten) return {};
  std::string version = std::to_string(change.version);
  pg::Param title;
  pg::Param task_json;
  pg::Param completed_at;
  if (!change.state) {
    TODO_TRY_VOID(tx.Execute(q::kDeleteTask, {change.task_id, change.owner_id, version}));
  } else {
    const TaskSnapshot& s = *change.state;
    TODO_TRY_VOID(tx.Execute(q::kUpsertTask, {change.task_id, change.owner_id, s.title, s.status,
                                              std::to_string(s.progress), s.due_at, s.expires_at,
                                              s.completed_at, version}));
    title = s.title;
    task_json = s.json;
    if (s.status == "done") completed_at = s.completed_at;
  }
  TODO_TRY_VOID(
      tx.Execute(q::kInsertActivity, {std::to_string(seq), change.event_id, change.owner_id,
                                      std::string(domain::ToString(change.kind)), change.task_id,
                                      title, change.at, task_json, completed_at}));
  return {};
}

pg::DbResult<void> FoldUser(pg::Connection& tx, const UserChange& change) {
  std::string version = std::to_string(change.version);
  switch (change.kind) {
    case UserChange::Kind::kDeleted:
      for (const auto* query : {&q::kForgetTasks, &q::kForgetActivity, &q::kForgetPerson}) {
        TODO_TRY_VOID(tx.Execute(*query, {change.user_id}));
      }
      TODO_TRY_VOID(tx.Execute(q::kRememberForgotten, {change.user_id, version}));
      return {};
    case UserChange::Kind::kProfile: {
      TODO_TRY(bool forgotten, IsForgotten(tx, change.user_id));
      if (forgotten) return {};
      TODO_TRY_VOID(tx.Execute(q::kUpsertPerson, {change.user_id, change.timezone, version}));
      return {};
    }
    case UserChange::Kind::kOther:
      return {};
  }
  return {};
}

}  // namespace

std::string ApplyError::Message() const {
  if (const auto* malformed = std::get_if<MalformedEvent>(&cause)) return malformed->Message();
  return std::get<pg::DbError>(cause).message;
}

std::expected<void, ApplyError> EventApplier::Apply(pg::Connection& conn, std::string_view payload,
                                                    std::uint64_t stream_seq) {
  TODO_TRY(auto event, ReadEvent(payload));
  TODO_TRY_VOID(conn.Transaction(
      [&](pg::Connection& tx) -> pg::DbResult<void> { return Fold(tx, event, stream_seq); }));
  return {};
}

pg::DbResult<void> EventApplier::Fold(pg::Connection& tx, const ConsumedEvent& event,
                                      std::uint64_t stream_seq) {
  if (const auto* task = std::get_if<TaskChange>(&event)) return FoldTask(tx, *task, stream_seq);
  if (const auto* user = std::get_if<UserChange>(&event)) return FoldUser(tx, *user);
  return {};  // an IgnoredEvent
}

}  // namespace progress::infra
