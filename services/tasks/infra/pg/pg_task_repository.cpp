#include "infra/pg/pg_task_repository.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "infra/pg/idempotency.hpp"
#include "infra/json/task_json.hpp"
#include "infra/pg/task_queries.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/pg/array_literal.hpp"
#include "platform/time.hpp"
#include "platform/uuid.hpp"

namespace tasks::infra {

namespace pg = platform::pg;
namespace q = queries;
using platform::Error;
using platform::Result;

namespace {

constexpr std::string_view kSource = "/tasks";

std::optional<domain::Time> ReadTime(const pg::Rows& rows, int row, int col) {
  auto ms = rows.OptionalInt(row, col);
  if (!ms) return std::nullopt;
  return domain::Time(std::chrono::milliseconds(*ms));
}

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

pg::DbResult<void> Publish(pg::Connection& tx, std::string type, const domain::Task& task,
                           std::string data, const std::string& request_id) {
  platform::bus::EventDraft draft{std::move(type), std::string(kSource), task.id,
                                  task.version,    std::move(data),      request_id};
  auto enqueued = platform::bus::EnqueueEvent(tx, draft);
  if (!enqueued) return std::unexpected(enqueued.error());
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

// A row of kFindKeys as what a retry with `body_hash` gets.
Result<app::FirstResponse> FirstResponseOf(const pg::Rows& rows, int row,
                                           const std::string& body_hash) {
  if (rows.Text(row, 2) != body_hash) return std::unexpected(KeyReusedWithAnotherBody());
  return app::FirstResponse{rows.Text(row, 3), rows.Int(row, 4), rows.Text(row, 5)};
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
  // row. Sorted, so that groups racing for the same keys lock them in one order (no deadlock).
  auto by_key = [](const NewTask* a, const NewTask* b) {
    return std::tie(a->task.owner_id, a->key->key) < std::tie(b->task.owner_id, b->key->key);
  };
  std::stable_sort(keyed.begin(), keyed.end(), by_key);
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
  auto claimed = tx.Execute(q::kClaimKeys, arrays);
  if (!claimed) return std::unexpected(claimed.error());
  std::unordered_set<std::string> took;
  for (int i = 0; i < claimed->Size(); ++i) took.insert(claimed->Text(i, 0));
  std::vector<const NewTask*> refused;
  for (const auto& item : created) {
    if (!item.key || took.contains(item.task.id)) {
      inserting.push_back(&item);
    } else {
      refused.push_back(&item);
    }
  }
  if (refused.empty()) return inserting;
  std::vector<std::string> owners, keys;
  for (const NewTask* item : refused) {
    owners.push_back(item->task.owner_id);
    keys.push_back(item->key->key);
  }
  auto rows = tx.Execute(q::kFindKeys, {pg::ArrayLiteral(owners), pg::ArrayLiteral(keys)});
  if (!rows) return std::unexpected(rows.error());
  std::map<std::string, int> row_of;
  for (int i = 0; i < rows->Size(); ++i)
    row_of[OwnerAndKey(rows->Text(i, 0), rows->Text(i, 1))] = i;
  for (const NewTask* item : refused) {
    auto found = row_of.find(OwnerAndKey(item->task.owner_id, item->key->key));
    if (found == row_of.end()) {
      // Only if the row went between the two statements (its owner was erased): answered as a
      // request still running, which a retry resolves.
      *item->taken = std::unexpected(KeyInProgress());
    } else {
      *item->taken = FirstResponseOf(*rows, found->second, item->key->body_hash);
    }
  }
  return inserting;
}

}  // namespace

domain::Task ReadTask(const pg::Rows& rows, int row) {
  domain::Task t;
  t.id = rows.Text(row, 0);
  t.owner_id = rows.Text(row, 1);
  t.title = rows.Text(row, 2);
  t.description = rows.Text(row, 3);
  t.status = domain::ParseStatus(rows.Text(row, 4)).value_or(domain::Status::kTodo);
  t.progress = static_cast<int>(rows.Int(row, 5));
  t.priority = domain::ParsePriority(rows.Text(row, 6)).value_or(domain::Priority::kNone);
  rapidjson::Document labels;
  labels.Parse(rows.Text(row, 7).c_str());
  if (labels.IsArray()) {
    for (const auto& v : labels.GetArray()) {
      if (v.IsString()) t.labels.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  rapidjson::Document checklist;
  checklist.Parse(rows.Text(row, 8).c_str());
  if (checklist.IsArray()) {
    for (const auto& v : checklist.GetArray()) {
      if (!v.IsObject() || !v.HasMember("id") || !v.HasMember("text")) continue;
      t.checklist.push_back(
          {v["id"].GetString(), v["text"].GetString(), v.HasMember("done") && v["done"].IsTrue()});
    }
  }
  t.due_at = ReadTime(rows, row, 9);
  t.expires_at = ReadTime(rows, row, 10);
  t.on_expire = domain::ParseOnExpire(rows.Text(row, 11)).value_or(domain::OnExpire::kKeep);
  t.completed_at = ReadTime(rows, row, 12);
  t.expired_at = ReadTime(rows, row, 13);
  t.created_at = *ReadTime(rows, row, 14);
  t.updated_at = *ReadTime(rows, row, 15);
  t.version = rows.Int(row, 16);
  return t;
}

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
  auto rows = tx.Execute(q::kLockTaskCounts, {pg::ArrayLiteral(owners)});
  if (!rows) return std::unexpected(rows.error());
  std::unordered_map<std::string, std::int64_t> counts;
  for (int i = 0; i < rows->Size(); ++i) counts[rows->Text(i, 0)] = rows->Int(i, 1);
  std::vector<const NewTask*> within;
  std::vector<std::string> released_owners, released_keys;
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
    auto released = tx.Execute(
        q::kReleaseKeys, {pg::ArrayLiteral(released_owners), pg::ArrayLiteral(released_keys)});
    if (!released) return std::unexpected(released.error());
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
  auto claimed = ClaimKeys(tx, created);
  if (!claimed) return std::unexpected(claimed.error());
  auto inserting = LeaveOutOverQuota(tx, std::move(*claimed), task_quota);
  if (!inserting) return std::unexpected(inserting.error());
  if (inserting->empty()) return {};
  // Transposed: one array per column.
  std::vector<std::vector<pg::Param>> columns;
  std::vector<platform::bus::EventDraft> events;
  events.reserve(inserting->size());
  for (const NewTask* item : *inserting) {
    const auto& task = item->task;
    auto row = WriteParams(task);
    if (columns.empty()) columns.resize(row.size());
    for (std::size_t c = 0; c < row.size(); ++c) columns[c].push_back(std::move(row[c]));
    events.push_back({"todo.task.created", std::string(kSource), task.id, task.version,
                      TaskEventJson(task), item->request_id});
  }
  pg::Params arrays;
  arrays.reserve(columns.size());
  for (const auto& column : columns) arrays.emplace_back(pg::NullableArrayLiteral(column));
  if (auto i = tx.Execute(q::kInsertMany, arrays); !i) return std::unexpected(i.error());
  return platform::bus::EnqueueEvents(tx, events,
                                      platform::FormatTimestamp(platform::Clock::now()));
}

app::Async<void> PgTaskRepository::Insert(domain::Task task, std::string request_id) {
  NewTask create{std::move(task), std::move(request_id), std::nullopt, nullptr};
  auto over_quota = create.over_quota;
  auto stored = co_await creates_.Submit(std::move(create));
  if (!stored) co_return stored;
  if (over_quota->load()) co_return std::unexpected(QuotaReached(task_quota_));
  co_return stored;
}

app::Async<std::optional<app::FirstResponse>> PgTaskRepository::InsertOnce(
    domain::Task task, std::string request_id, app::IdempotencyKey key) {
  auto taken = std::make_shared<std::optional<Result<app::FirstResponse>>>();
  NewTask item{std::move(task), std::move(request_id), std::move(key), taken};
  auto over_quota = item.over_quota;
  auto committed = co_await creates_.Submit(std::move(item));
  if (!committed) co_return std::unexpected(committed.error());
  if (over_quota->load()) co_return std::unexpected(QuotaReached(task_quota_));
  if (!taken->has_value()) co_return std::optional<app::FirstResponse>{};  // inserted
  if (!**taken) co_return std::unexpected((**taken).error());
  co_return std::optional<app::FirstResponse>{std::move(***taken)};
}

app::Async<std::optional<app::FirstResponse>> PgTaskRepository::FindFirstResponse(
    std::string owner_id, app::IdempotencyKey key) {
  auto work = [owner_id, key](pg::Connection& conn) -> Result<std::optional<app::FirstResponse>> {
    auto rows =
        conn.Execute(q::kFindKeys, {pg::ArrayLiteral({owner_id}), pg::ArrayLiteral({key.key})});
    if (!rows) return std::unexpected(rows.error().ToError());
    if (rows->Empty()) return std::nullopt;
    auto first = FirstResponseOf(*rows, 0, key.body_hash);
    if (!first) return std::unexpected(first.error());
    return std::optional<app::FirstResponse>{std::move(*first)};
  };
  return pool_.Run(std::move(work));
}

app::Async<std::optional<domain::Task>> PgTaskRepository::Find(std::string owner_id,
                                                               std::string id) {
  auto work = [owner_id, id](pg::Connection& conn) -> Result<std::optional<domain::Task>> {
    if (!platform::IsUuid(id)) return std::nullopt;
    auto rows = conn.Execute(q::kFind, {id, owner_id});
    if (!rows) return std::unexpected(rows.error().ToError());
    if (rows->Empty()) return std::nullopt;
    return ReadTask(*rows, 0);
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
    auto rows = conn.Execute(ListStatement(query.sort, query.descending), params);
    if (!rows) return std::unexpected(rows.error().ToError());
    app::Page page;
    int n = std::min(rows->Size(), query.limit);
    for (int i = 0; i < n; ++i) page.items.push_back(ReadTask(*rows, i));
    if (rows->Size() > query.limit) {
      page.next = app::Cursor{rows->Text(n - 1, 17), rows->Text(n - 1, 0)};
    }
    return page;
  };
  return pool_.Run(std::move(work));
}

app::Async<bool> PgTaskRepository::Update(domain::Task task, std::int64_t expected_version,
                                          std::string event_type, std::string request_id) {
  auto work = [task = std::move(task), expected_version, event_type,
               request_id](pg::Connection& conn) -> Result<bool> {
    auto r = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<bool> {
      auto params = WriteParams(task);
      params.push_back(std::to_string(expected_version));
      auto u = tx.Execute(q::kUpdate, params);
      if (!u) return std::unexpected(u.error());
      if (u->AffectedRows() == 0) return false;
      if (auto p = Publish(tx, event_type, task, TaskEventJson(task), request_id); !p) {
        return std::unexpected(p.error());
      }
      return true;
    });
    if (!r) return std::unexpected(r.error().ToError());
    return *r;
  };
  return pool_.Run(std::move(work));
}

app::Async<bool> PgTaskRepository::Delete(std::string owner_id, std::string id,
                                          std::optional<std::int64_t> expected_version,
                                          std::string request_id) {
  auto work = [owner_id, id, expected_version, request_id](pg::Connection& conn) -> Result<bool> {
    if (!platform::IsUuid(id)) return false;
    auto r = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<bool> {
      pg::Param version;
      if (expected_version) version = std::to_string(*expected_version);
      auto d = tx.Execute(q::kDelete, {id, owner_id, version});
      if (!d) return std::unexpected(d.error());
      if (d->Empty()) return false;
      domain::Task gone;
      gone.id = id;
      gone.owner_id = owner_id;
      gone.version = d->Int(0, 0) + 1;
      platform::JsonWriter w;
      w.StartObject();
      w.Field("id", id);
      w.Field("owner_id", owner_id);
      w.Field("version", gone.version);
      w.EndObject();
      if (auto p = Publish(tx, "todo.task.deleted", gone, w.Take(), request_id); !p) {
        return std::unexpected(p.error());
      }
      return true;
    });
    if (!r) return std::unexpected(r.error().ToError());
    return *r;
  };
  return pool_.Run(std::move(work));
}

app::Async<app::OwnerSettings> PgTaskRepository::Settings(std::string owner_id) {
  auto work = [owner_id](pg::Connection& conn) -> Result<app::OwnerSettings> {
    auto rows = conn.Execute(q::kSettings, {owner_id});
    if (!rows) return std::unexpected(rows.error().ToError());
    app::OwnerSettings settings;
    if (!rows->Empty()) {
      settings.timezone = rows->Text(0, 0);
      settings.default_task_ttl_seconds = rows->OptionalInt(0, 1);
    }
    return settings;
  };
  return pool_.Run(std::move(work));
}

}  // namespace tasks::infra
