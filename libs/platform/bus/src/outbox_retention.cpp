// The relay's maintenance: published rows deleted after the retention, and deletions'
// tombstones purged from the state stream once the history stream has forgotten the entity.

#include <optional>

#include "outbox_queries.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/log.hpp"
#include "platform/pg/array_literal.hpp"
#include "platform/try.hpp"

namespace platform::bus {
namespace {

// A maintenance pass yields to publishing after this long; the rest waits for the next step.
constexpr std::chrono::milliseconds kMaintenanceBudget{250};
// Each a request to the server: a pass purges few, the next pass the rest.
constexpr int kTombstonesPerPass = 100;

}  // namespace

Result<std::size_t> OutboxRelay::PurgeSent(pg::Connection& conn) {
  TODO_TRY(auto rows, conn.Execute(queries::kPurgeSent, {std::to_string(opts_.retention.count()),
                                                         std::to_string(opts_.purge_batch)}));
  auto deleted = static_cast<std::size_t>(rows.AffectedRows());
  purged_.Inc(deleted);
  return deleted;
}

Result<std::size_t> OutboxRelay::PurgeTombstones(pg::Connection& conn) {
  std::size_t purged = 0;
  std::optional<Error> purge_error;
  auto round = [&](pg::Connection& tx) -> pg::DbResult<void> {
    TODO_TRY(auto rows, tx.Execute(queries::kDueTombstones, {std::to_string(kTombstonesPerPass)}));
    if (rows.Empty()) return {};
    std::vector<std::string> subjects;
    subjects.reserve(static_cast<std::size_t>(rows.Size()));
    for (int i = 0; i < rows.Size(); ++i) {
      TODO_TRY(auto subject, rows.At(i).Text("subject"));
      subjects.push_back(std::move(subject));
    }
    // Entity ids are never reused, so nothing newer than the tombstone is purged with it. A
    // failure keeps the rows (the transaction rolls back) and a later pass purges again.
    for (const auto& subject : subjects) {
      if (auto done = js_.PurgeSubject(opts_.state_stream, subject); !done) {
        purge_error = done.error();
        return std::unexpected(pg::DbError{"", "purge failed"});
      }
    }
    TODO_TRY_VOID(tx.Execute(queries::kDropTombstones, {pg::ArrayLiteral(subjects)}));
    purged = subjects.size();
    return {};
  };
  auto done = conn.Transaction(round);
  if (purge_error) return std::unexpected(*purge_error);
  TODO_TRY_VOID(std::move(done));
  tombstones_purged_.Inc(purged);
  return purged;
}

Result<bool> OutboxRelay::Maintain(pg::Connection& conn) {
  auto now = std::chrono::steady_clock::now();
  if (now < next_maintenance_) return false;
  auto budget_end = now + kMaintenanceBudget;
  bool more = false;
  for (;;) {
    TODO_TRY(std::size_t deleted, PurgeSent(conn));
    if (deleted < static_cast<std::size_t>(opts_.purge_batch)) break;
    if (std::chrono::steady_clock::now() >= budget_end) {
      more = true;
      break;
    }
  }
  TODO_TRY(std::size_t tombstones, PurgeTombstones(conn));
  more = more || tombstones == static_cast<std::size_t>(kTombstonesPerPass);
  next_maintenance_ = more ? now : std::chrono::steady_clock::now() + opts_.maintenance_interval;
  return more;
}

}  // namespace platform::bus
