#include "infra/events/event_applier.hpp"

#include <optional>
#include <string>

#include "infra/events/task_batch.hpp"
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
  return FoldBatch(tx, std::span(&event, 1), std::span(&stream_seq, 1), true);
}

pg::DbResult<void> EventApplier::FoldBatch(pg::Connection& tx,
                                           std::span<const ConsumedEvent> events,
                                           std::span<const std::uint64_t> seqs,
                                           bool with_activity) {
  // Runs of task events go together; a user event between them is folded on its own, in
  // order, since it may forget the person the next events are about.
  std::vector<SequencedTask> run;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (const auto* task = std::get_if<TaskChange>(&events[i])) {
      run.push_back({task, seqs[i]});
    } else if (const auto* user = std::get_if<UserChange>(&events[i])) {
      TODO_TRY_VOID(FoldTasks(tx, run, with_activity));
      run.clear();
      TODO_TRY_VOID(FoldUser(tx, *user));
    }  // an IgnoredEvent changes nothing
  }
  return FoldTasks(tx, run, with_activity);
}

}  // namespace progress::infra
