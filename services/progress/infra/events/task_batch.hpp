#pragma once
// FoldTasks: the task events of a batch folded with four statements whatever their number, so
// a consumer's batch costs a few round trips instead of three per event.

#include <cstdint>
#include <span>

#include "infra/events/progress_events.hpp"
#include "platform/pg/connection.hpp"

namespace progress::infra {

// SequencedTask: a task event and its stream sequence (the activity row's key).
struct SequencedTask {
  const TaskChange* change;
  std::uint64_t seq;
};

// Folds `run` (in stream order) inside the caller's open transaction: the latest version of
// each task replaces what is stored when newer, and each event adds its activity row (unless
// `with_activity` is false: a rebuild's pass over the state stream). Events about people who
// were deleted are dropped.
platform::pg::DbResult<void> FoldTasks(platform::pg::Connection& tx,
                                       std::span<const SequencedTask> run, bool with_activity);

}  // namespace progress::infra
