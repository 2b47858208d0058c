#include "infra/pg/pg_task_repository.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "infra/events/task_events.hpp"
#include "infra/json/task_json.hpp"
#include "infra/pg/idempotency.hpp"
#include "infra/pg/queries.hpp"
#include "infra/pg/task_row.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/check.hpp"
#include "platform/pg/array_literal.hpp"
#include "platform/time.hpp"
#include "platform/try.hpp"
#include "platform/uuid.hpp"

namespace tasks::infra {

namespace pg = platform::pg;
namespace q = queries;
using platform::Error;
using platform::Result;

namespace {

pg::Param TimeParam(const std::optional<domain::Time>& t) {
  if (!t) return std::nullopt;
  return std::to_string(t->time_since_epoch().count());
}

std::string StatusArray(const std::vector<domain::Status>& statuses) {
  std::vector<std::string> names;
  names.reserve(statuses.size());
  for (auto status : statuses) names.emplace_back(domain::ToString(status));
  return pg::ArrayLiteral(names);
}

// A task as the parameters of insert_tasks.sql and update_task.sql ($1..$18).
pg::Params WriteParams(const domain::Task& t) {
  return {t.id,
          t.owner_id,
          t.title,
          t.description,
          std::string(domain::ToString(t.status)),
          std::to_string(t.progress),
          std::string(domain::ToString(t.priority)),
          std::to_string(domain::PriorityRank(t.priority)),
          StringArrayJson(t.labels),
          ChecklistJson(t.checklist),
          TimeParam(t.due_at),
          TimeParam(t.expires_at),
          std::string(domain::ToString(t.on_expire)),
          TimeParam(t.completed_at),
          TimeParam(t.expired_at),
          TimeParam(t.created_at),
          TimeParam(t.updated_at),
          std::to_string(t.version)};
}

pg::DbResult<void> Publish(pg::Connection& tx, const platform::bus::EventDraft& event) {
  TODO_TRY_VOID(platform::bus::EnqueueEvent(tx, event));
  return {};
}

const pg::Query& ListStatement(app::SortKey key, bool descending) {
  switch (key) {
    case app::SortKey::kCreatedAt:
      return descending ? q::kListCreatedDesc : q::kListCreatedAsc;
    case app::SortKey::kUpdatedAt:
      return descending ? q::kListUpdatedDesc : q::kListUpdatedAsc;
    case app::SortKey::kDueAt:
      return descending ? q::kListDueDesc : q::kListDueAsc;
    case app::SortKey::kExpiresAt:
      return descending ? q::kListExpiresDesc : q::kListExpiresAsc;
    case app::SortKey::kPriority:
      return descending ? q::kListPriorityDesc : q::kListPriorityAsc;
  }
  return q::kListCreatedDesc;
}

// A page of a list statement's rows (limit + 1 of them when a next page exists).
pg::DbResult<app::Page> ReadPage(const pg::Rows& rows, int limit) {
  app::Page page;
  int n = std::min(rows.Size(), limit);
  for (int i = 0; i < n; ++i) {
    TODO_TRY(auto task, ReadTask(rows.At(i)));
    page.items.push_back(std::move(task));
  }
  if (rows.Size() > limit) {
    TODO_TRY(auto key, rows.At(n - 1).Text("sort_key"));
    TODO_TRY(auto id, rows.At(n - 1).Text("id"));
    page.next = app::Cursor{std::move(key), std::move(id)};
  }
  return page;
}

// An owner's settings from owner_settings.sql (the defaults when the replica has no row).
pg::DbResult<app::OwnerSettings> ReadSettings(const pg::Rows& rows) {
  app::OwnerSettings settings;
  if (rows.Empty()) return settings;
  TODO_TRY(settings.timezone, rows.At(0).Text("timezone"));
  TODO_TRY(settings.default_task_ttl_seconds, rows.At(0).OptionalInt("default_task_ttl_seconds"));
  return settings;
}

// KeyRow: a row of find_keys.sql, an Idempotency-Key of the last 24 h and what it answered.
struct KeyRow {
  std::string owner_id;
  std::string key;
  std::string body_hash;
  app::FirstResponse first;
};

pg::DbResult<KeyRow> ReadKeyRow(const pg::Row& row) {
  KeyRow k;
  TODO_TRY(k.owner_id, row.Text("owner_id"));
  TODO_TRY(k.key, row.Text("idem_key"));
  TODO_TRY(k.body_hash, row.Text("body_hash"));
  TODO_TRY(k.first.task_id, row.Text("task_id"));
  TODO_TRY(k.first.task_version, row.Int("task_version"));
  TODO_TRY(k.first.body, row.Text("response"));
  return k;
}

// What a retry with `body_hash` gets from a stored key.
Result<app::FirstResponse> FirstResponseOf(const KeyRow& row, const std::string& body_hash) {
  if (row.body_hash != body_hash) return std::unexpected(KeyReusedWithAnotherBody());
  return row.first;
}

std::string OwnerAndKey(const std::string& owner_id, const std::string& key) {
  return owner_id + '\n' + key;  // a key is printable ASCII: no newline
}

// Takes the Idempotency-Keys of a group's keyed creates (one statement, only when the group has
// any). Returns the creates that insert, in group order: those without a key and those whose key
// this transaction took. Each other one learns what its key holds (NewTask::taken).
pg::DbResult<std::vector<const NewTask*>> ClaimKeys(pg::Connection& tx,
                                                    std::span<const NewTask> created) {
  std::vector<const NewTask*> keyed;
  for (const auto& item : created) {
    if (item.taken) item.taken->reset();  // a group that failed is retried item by item
    if (item.key) keyed.push_back(&item);
  }
  std::vector<const NewTask*> inserting;
  if (keyed.empty()) {
    for (const auto& item : created) inserting.push_back(&item);
    return inserting;
  }
  // One row per (owner, key): a second create under a key in the same group finds the first's
  // row. Sorted, so that groups racing for the same keys lock them in one order (no deadlock);
  // equal keys stay in group order (the items are one span: their addresses are that order).
  auto by_key = [](const NewTask* a, const NewTask* b) {
    return std::tie(a->task.owner_id, a->key->key) < std::tie(b->task.owner_id, b->key->key);
  };
  std::ranges::sort(keyed, [&](const NewTask* a, const NewTask* b) {
    return by_key(a, b) || (!by_key(b, a) && std::less<>{}(a, b));
  });
  std::vector<std::vector<pg::Param>> columns(6);
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    if (i > 0 && !by_key(keyed[i - 1], keyed[i])) continue;
    const NewTask& item = *keyed[i];
    columns[0].emplace_back(item.task.owner_id);
    columns[1].emplace_back(item.key->key);
    columns[2].emplace_back(item.key->body_hash);
    columns[3].emplace_back(item.task.id);
    columns[4].emplace_back(std::to_string(item.task.version));
    columns[5].emplace_back(TaskJson(item.task));  // what the route answers for a new task
  }
  pg::Params arrays;
  for (const auto& column : columns) arrays.emplace_back(pg::NullableArrayLiteral(column));
  TODO_TRY(auto claimed, tx.Execute(q::kClaimKeys, arrays));
  std::unordered_set<std::string> took;
  for (int i = 0; i < claimed.Size(); ++i) {
    TODO_TRY(auto task_id, claimed.At(i).Text("task_id"));
    took.insert(std::move(task_id));
  }
  std::vector<const NewTask*> refused;
  for (const auto& item : created) {
    if (!item.key || took.contains(item.task.id)) {
      inserting.push_back(&item);
    } else {
      refused.push_back(&item);
    }
  }
  if (refused.empty()) return inserting;
  std::vector<std::string> owners;
  std::vector<std::string> keys;
  for (const NewTask* item : refused) {
    owners.push_back(item->task.owner_id);
    keys.push_back(item->key->key);
  }
  TODO_TRY(auto rows, tx.Execute(q::kFindKeys, {pg::ArrayLiteral(owners), pg::ArrayLiteral(keys)}));
  std::map<std::string, KeyRow> stored;
  for (int i = 0; i < rows.Size(); ++i) {
    TODO_TRY(auto row, ReadKeyRow(rows.At(i)));
    std::string owner_and_key = OwnerAndKey(row.owner_id, row.key);
    stored.emplace(std::move(owner_and_key), std::move(row));
  }
  for (const NewTask* item : refused) {
    auto found = stored.find(OwnerAndKey(item->task.owner_id, item->key->key));
    if (found == stored.end()) {
      // Only if the row went between the two statements (its owner was erased): answered as a
      // request still running, which a retry resolves.
      *item->taken = std::unexpected(KeyInProgress());
    } else {
      *item->taken = FirstResponseOf(found->second, item->key->body_hash);
    }
  }
  return inserting;
}

}  // namespace

PgTaskRepository::PgTaskRepository(pg::Pool& pool, pg::CommitGroupOptions group_options,
                                   std::int64_t task_quota)
    : pool_(pool),
      task_quota_(task_quota),
      creates_(
          pool,
          [task_quota](pg::Connection& tx, std::span<const NewTask> created) {
            return InsertTasks(tx, created, task_quota);
          },
          group_options) {}

namespace {

// Leaves out the creates that would take their owner beyond the quota (in submission order,
// so the earlier creates of a group win) and marks them over_quota; a left-out create gives
// back the Idempotency-Key it claimed, so that no key answers for a task that was never made.
pg::DbResult<std::vector<const NewTask*>> LeaveOutOverQuota(pg::Connection& tx,
                                                            std::vector<const NewTask*> inserting,
                                                            std::int64_t quota) {
  if (inserting.empty()) return inserting;
  std::vector<std::string> owners;
  owners.reserve(inserting.size());
  for (const NewTask* c : inserting) owners.push_back(c->task.owner_id);
  TODO_TRY(auto rows, tx.Execute(q::kLockTaskCounts, {pg::ArrayLiteral(owners)}));
  std::unordered_map<std::string, std::int64_t> counts;
  for (int i = 0; i < rows.Size(); ++i) {
    TODO_TRY(auto owner, rows.At(i).Text("owner_id"));
    TODO_TRY(counts[owner], rows.At(i).Int("tasks"));
  }
  std::vector<const NewTask*> within;
  std::vector<std::string> released_owners;
  std::vector<std::string> released_keys;
  for (const NewTask* c : inserting) {
    auto& count = counts[c->task.owner_id];
    bool over = count >= quota;
    c->over_quota->store(over);
    if (!over) {
      ++count;
      within.push_back(c);
    } else if (c->key) {
      released_owners.push_back(c->task.owner_id);
      released_keys.push_back(c->key->key);
    }
  }
  if (!released_keys.empty()) {
    TODO_TRY_VOID(tx.Execute(q::kReleaseKeys,
                             {pg::ArrayLiteral(released_owners), pg::ArrayLiteral(released_keys)}));
  }
  return within;
}

Error QuotaReached(std::int64_t quota) {
  return Error::Conflict("task quota of " + std::to_string(quota) +
                         " reached; delete tasks to create more");
}

}  // namespace

pg::DbResult<void> InsertTasks(pg::Connection& tx, std::span<const NewTask> created,
                               std::int64_t task_quota) {
  if (created.empty()) return {};
  TODO_TRY(auto claimed, ClaimKeys(tx, created));
  TODO_TRY(auto inserting, LeaveOutOverQuota(tx, std::move(claimed), task_quota));
  if (inserting.empty()) return {};
  // Transposed: one array per column.
  std::vector<std::vector<pg::Param>> columns;
  std::vector<platform::bus::EventDraft> events;
  events.reserve(inserting.size());
  for (const NewTask* item : inserting) {
    const auto& task = item->task;
    auto row = WriteParams(task);
    if (columns.empty()) columns.resize(row.size());
    for (std::size_t c = 0; c < row.size(); ++c) columns[c].push_back(std::move(row[c]));
    events.push_back(TaskStateEvent(kTaskCreated, task, item->request_id));
  }
  pg::Params arrays;
  arrays.reserve(columns.size());
  for (const auto& column : columns) arrays.emplace_back(pg::NullableArrayLiteral(column));
  TODO_TRY_VOID(tx.Execute(q::kInsertTasks, arrays));
  return platform::bus::EnqueueEvents(tx, events,
                                      platform::FormatTimestamp(platform::Clock::now()));
}

app::Async<void> PgTaskRepository::Insert(domain::Task task, std::string request_id) {
  NewTask create{std::move(task), std::move(request_id), std::nullopt, nullptr};
  auto over_quota = create.over_quota;
  TODO_CO_TRY_VOID(co_await creates_.Submit(std::move(create)));
  if (over_quota->load()) co_return std::unexpected(QuotaReached(task_quota_));
  co_return Result<void>{};
}

app::Async<std::optional<app::FirstResponse>> PgTaskRepository::InsertOnce(
    domain::Task task, std::string request_id, app::IdempotencyKey key) {
  auto taken = std::make_shared<std::optional<Result<app::FirstResponse>>>();
  NewTask item{std::move(task), std::move(request_id), std::move(key), taken};
  auto over_quota = item.over_quota;
  TODO_CO_TRY_VOID(co_await creates_.Submit(std::move(item)));
  if (over_quota->load()) co_return std::unexpected(QuotaReached(task_quota_));
  if (!taken->has_value()) co_return std::optional<app::FirstResponse>{};  // inserted
  TODO_CO_TRY(auto first, std::move(**taken));
  co_return std::optional<app::FirstResponse>{std::move(first)};
}

app::Async<std::optional<app::FirstResponse>> PgTaskRepository::FindFirstResponse(
    std::string owner_id, app::IdempotencyKey key) {
  auto work = [owner_id, key](pg::Connection& conn) -> Result<std::optional<app::FirstResponse>> {
    TODO_TRY(auto rows, conn.Execute(q::kFindKeys,
                                     {pg::ArrayLiteral({owner_id}), pg::ArrayLiteral({key.key})}));
    if (rows.Empty()) return std::nullopt;
    TODO_CHECK(rows.Size() == 1, "(owner_id, idem_key) is the key of idempotency_keys");
    TODO_TRY(auto row, ReadKeyRow(rows.At(0)));
    TODO_TRY(auto first, FirstResponseOf(row, key.body_hash));
    return std::optional<app::FirstResponse>{std::move(first)};
  };
  return pool_.Run(std::move(work));
}

app::Async<std::optional<domain::Task>> PgTaskRepository::Find(std::string owner_id,
                                                               std::string id) {
  auto work = [owner_id, id](pg::Connection& conn) -> Result<std::optional<domain::Task>> {
    if (!platform::IsUuid(id)) return std::nullopt;
    TODO_TRY(auto rows, conn.Execute(q::kFindTask, {id, owner_id}));
    if (rows.Empty()) return std::nullopt;
    TODO_CHECK(rows.Size() == 1, "a task is found by its primary key");
    TODO_TRY(auto task, ReadTask(rows.At(0)));
    return task;
  };
  return pool_.Run(std::move(work));
}

app::Async<app::Page> PgTaskRepository::List(app::ListQuery query) {
  auto work = [query = std::move(query)](pg::Connection& conn) -> Result<app::Page> {
    pg::Params params(12);
    params[0] = query.owner_id;
    if (!query.statuses.empty()) params[1] = StatusArray(query.statuses);
    params[2] = query.label;
    if (query.priority) params[3] = std::string(domain::ToString(*query.priority));
    if (query.text) {
      // LIKE treats % _ and \ specially: escape them so q matches them as plain characters.
      std::string pattern = "%";
      for (char c : *query.text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
      }
      params[4] = pattern + "%";
    }
    params[5] = TimeParam(query.due_before);
    params[6] = TimeParam(query.due_after);
    params[7] = TimeParam(query.expires_before);
    params[8] = TimeParam(query.expires_after);
    if (query.after) {
      params[9] = query.after->key;
      params[10] = query.after->id;
    }
    params[11] = std::to_string(query.limit + 1);  // one more tells whether a next page exists
    TODO_CHECK(query.limit > 0, "a list query asks for at least one task");
    TODO_TRY(auto rows, conn.Execute(ListStatement(query.sort, query.descending), params));
    TODO_CHECK(rows.Size() <= query.limit + 1, "a list statement returns at most its LIMIT");
    TODO_TRY(auto page, ReadPage(rows, query.limit));
    return page;
  };
  return pool_.Run(std::move(work));
}

app::Async<bool> PgTaskRepository::Update(domain::Task task, std::int64_t expected_version,
                                          domain::TaskChange change, std::string request_id) {
  auto work = [task = std::move(task), expected_version, change,
               request_id](pg::Connection& conn) -> Result<bool> {
    return conn.Transaction([&](pg::Connection& tx) -> Result<bool> {
      auto params = WriteParams(task);
      params.emplace_back(std::to_string(expected_version));
      TODO_TRY(auto updated, tx.Execute(q::kUpdateTask, params));
      if (updated.AffectedRows() == 0) return false;
      TODO_CHECK(updated.AffectedRows() == 1, "a task is updated by its primary key");
      TODO_TRY_VOID(Publish(tx, TaskStateEvent(TaskChangeEvent(change), task, request_id)));
      return true;
    });
  };
  return pool_.Run(std::move(work));
}

app::Async<bool> PgTaskRepository::Delete(std::string owner_id, std::string id,
                                          std::optional<std::int64_t> expected_version,
                                          std::string request_id) {
  auto work = [owner_id, id, expected_version, request_id](pg::Connection& conn) -> Result<bool> {
    if (!platform::IsUuid(id)) return false;
    return conn.Transaction([&](pg::Connection& tx) -> Result<bool> {
      pg::Param version;
      if (expected_version) version = std::to_string(*expected_version);
      TODO_TRY(auto deleted, tx.Execute(q::kDeleteTask, {id, owner_id, version}));
      if (deleted.Empty()) return false;
      TODO_CHECK(deleted.Size() == 1, "a task is deleted by its primary key");
      TODO_TRY(auto last_version, pg::DbResult<std::int64_t>(deleted.At(0).Int("version")));
      TODO_TRY(auto title, pg::DbResult<std::string>(deleted.At(0).Text("title")));
      TODO_TRY_VOID(Publish(tx, TaskDeletedEvent(id, owner_id, last_version + 1, DeletedBy::kOwner,
                                                 title, request_id)));
      return true;
    });
  };
  return pool_.Run(std::move(work));
}

app::Async<app::OwnerSettings> PgTaskRepository::Settings(std::string owner_id) {
  auto work = [owner_id](pg::Connection& conn) -> Result<app::OwnerSettings> {
    TODO_TRY(auto rows, conn.Execute(q::kOwnerSettings, {owner_id}));
    TODO_CHECK(rows.Size() <= 1, "the user replica is keyed by id");
    TODO_TRY(auto settings, ReadSettings(rows));
    return settings;
  };
  return pool_.Run(std::move(work));
}

}  // namespace tasks::infra
