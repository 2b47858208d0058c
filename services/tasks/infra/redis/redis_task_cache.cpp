#include "infra/redis/redis_task_cache.hpp"

#include <rapidjson/document.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <limits>

#include "infra/json/task_json.hpp"
#include "platform/time.hpp"
#include "platform/try.hpp"

namespace tasks::infra {
namespace {

// Writes only a newer version: concurrent writers and read-through fills may arrive in any
// order, and an older state must never replace a newer one (a delete leaves a tombstone). An
// empty entry of the same version (a write's hold) is replaced by that version's state.
constexpr std::string_view kPutIfNewer = R"lua(
local v = redis.call('HGET', KEYS[1], 'v')
if v then
  local held, new = tonumber(v), tonumber(ARGV[1])
  if held > new then return 0 end
  if held == new and (ARGV[2] == '' or redis.call('HGET', KEYS[1], 'j') ~= '') then return 0 end
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'j', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
)lua";

// A page lives briefly: expiries also change pages, and the scheduler bumps versions only
// after committing them.
constexpr std::string_view kPageSeconds = "30";
// A list version must outlive every page stored under it (kPageSeconds): once it expires, the
// count starts again at 0 and the numbers it reaches would find the pages stored under them
// before. A day (rather than the 30 s of a page) keeps that reuse to owners who did not write
// for a day, and an idle owner's counter still goes away.
constexpr std::string_view kListVersionSeconds = "86400";

std::string ListVersionKey(const std::string& owner_id) { return "tasks:listver:" + owner_id; }

// Moves the owner's list version, so every page cached under the old one is passed over.
void AppendBump(std::vector<platform::redis::Command>& commands, const std::string& owner_id) {
  commands.push_back({"INCR", ListVersionKey(owner_id)});
  commands.push_back({"EXPIRE", ListVersionKey(owner_id), std::string(kListVersionSeconds)});
}

// Runs a cache call to completion on a private event loop, for a caller on a plain thread.
void RunHere(boost::asio::awaitable<platform::Result<void>> call) {
  boost::asio::io_context context;
  boost::asio::co_spawn(context, std::move(call), boost::asio::detached);
  context.run();
}

platform::redis::Command PutCommand(const std::string& key, std::int64_t version, std::string json,
                                    std::int64_t until_ms) {
  return {"EVAL",          std::string(kPutIfNewer), "1", key, std::to_string(version),
          std::move(json), std::to_string(until_ms)};
}

std::optional<domain::Time> TimeField(const rapidjson::Value& v, const char* name, bool& ok) {
  if (!v.HasMember(name) || v[name].IsNull()) return std::nullopt;
  if (!v[name].IsString()) {
    ok = false;
    return std::nullopt;
  }
  auto t = platform::ParseTimestamp(v[name].GetString());
  if (!t) ok = false;
  return t;
}

std::string StringField(const rapidjson::Value& v, const char* name, bool& ok) {
  if (!v.HasMember(name) || !v[name].IsString()) {
    ok = false;
    return {};
  }
  return std::string(v[name].GetString(), v[name].GetStringLength());
}

}  // namespace

std::string TaskCacheKey(const std::string& owner_id, const std::string& id) {
  return "task:" + owner_id + ":" + id;
}

std::optional<domain::Task> ParseTaskJson(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (!doc.IsObject()) return std::nullopt;
  bool ok = true;
  domain::Task t;
  t.id = StringField(doc, "id", ok);
  t.owner_id = StringField(doc, "owner_id", ok);
  t.title = StringField(doc, "title", ok);
  t.description = StringField(doc, "description", ok);
  auto status = domain::ParseStatus(StringField(doc, "status", ok));
  auto priority = domain::ParsePriority(StringField(doc, "priority", ok));
  auto on_expire = domain::ParseOnExpire(StringField(doc, "on_expire", ok));
  if (!status || !priority || !on_expire || !doc.HasMember("progress") ||
      !doc["progress"].IsInt() || !doc.HasMember("version") || !doc["version"].IsInt64() ||
      !doc.HasMember("labels") || !doc["labels"].IsArray() || !doc.HasMember("checklist") ||
      !doc["checklist"].IsArray()) {
    return std::nullopt;
  }
  t.status = *status;
  t.priority = *priority;
  t.on_expire = *on_expire;
  t.progress = doc["progress"].GetInt();
  t.version = doc["version"].GetInt64();
  for (const auto& label : doc["labels"].GetArray()) {
    if (!label.IsString()) return std::nullopt;
    t.labels.emplace_back(label.GetString(), label.GetStringLength());
  }
  for (const auto& item : doc["checklist"].GetArray()) {
    if (!item.IsObject() || !item.HasMember("done") || !item["done"].IsBool()) {
      return std::nullopt;
    }
    t.checklist.push_back(
        {StringField(item, "id", ok), StringField(item, "text", ok), item["done"].GetBool()});
  }
  t.due_at = TimeField(doc, "due_at", ok);
  t.expires_at = TimeField(doc, "expires_at", ok);
  t.completed_at = TimeField(doc, "completed_at", ok);
  t.expired_at = TimeField(doc, "expired_at", ok);
  auto created = TimeField(doc, "created_at", ok);
  auto updated = TimeField(doc, "updated_at", ok);
  if (!ok || !created || !updated) return std::nullopt;
  t.created_at = *created;
  t.updated_at = *updated;
  return t;
}

std::chrono::sys_time<std::chrono::milliseconds> RedisTaskCache::Deadline(
    const domain::Task& task) const {
  auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  auto until = now + std::chrono::duration_cast<std::chrono::milliseconds>(lifetime_);
  bool can_expire =
      task.status == domain::Status::kTodo || task.status == domain::Status::kInProgress;
  if (can_expire && task.expires_at && *task.expires_at < until) until = *task.expires_at;
  return until;
}

void RedisTaskCache::EraseCopy(const std::string& key) {
  if (copies_ != nullptr) copies_->Erase(key);
}

app::Async<void> RedisTaskCache::Hold(std::string owner_id, std::string id, std::int64_t version) {
  // Long enough for the write to commit and Put; a hold left by a crash ends by itself.
  auto until = std::chrono::system_clock::now() + std::chrono::seconds(5);
  std::string key = TaskCacheKey(owner_id, id);
  EraseCopy(key);
  std::vector<platform::redis::Command> commands;
  commands.push_back(PutCommand(
      key, version, "",
      std::chrono::duration_cast<std::chrono::milliseconds>(until.time_since_epoch()).count()));
  co_return co_await Send(std::move(commands));
}

app::Async<std::optional<domain::Task>> RedisTaskCache::Get(std::string owner_id, std::string id) {
  std::string key = TaskCacheKey(owner_id, id);
  std::uint64_t mark = 0;
  if (copies_ != nullptr && listener_ != nullptr) {
    mark = listener_->Mark();
    if (listener_->Current()) {
      auto copy = copies_->Find(key, std::chrono::system_clock::now());
      if (copy) co_return copy;
    }
  }
  std::vector<platform::redis::Command> commands;
  commands.push_back({"HGET", key, "j"});
  TODO_CO_TRY(const std::vector<platform::redis::Reply> replies,
              co_await redis_.Execute(std::move(commands)));
  // Missing, or a tombstone (empty): not cached.
  if (replies[0].IsNil() || replies[0].text.empty()) co_return std::optional<domain::Task>{};
  auto task = ParseTaskJson(replies[0].text);
  // Copied only when no change was announced since before the read: an announcement that
  // overtook the reply must not be undone by storing what the reply carried.
  if (task && copies_ != nullptr && listener_ != nullptr && listener_->CurrentSince(mark)) {
    copies_->Store(key, *task, Deadline(*task));
  }
  co_return task;
}

app::Async<void> RedisTaskCache::Put(domain::Task task) {
  auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  auto until = Deadline(task);
  std::string key = TaskCacheKey(task.owner_id, task.id);
  // This process's own writes are seen at once, without waiting for the announcement.
  EraseCopy(key);
  std::vector<platform::redis::Command> commands;
  if (until <= now) {
    // Past its expiry: the scheduler is about to change it; keep only a tombstone briefly.
    commands.push_back(PutCommand(key, task.version, "",
                                  (now + std::chrono::seconds(5)).time_since_epoch().count()));
  } else {
    commands.push_back(
        PutCommand(key, task.version, TaskEventJson(task), until.time_since_epoch().count()));
  }
  co_return co_await Send(std::move(commands));
}

app::Async<void> RedisTaskCache::Forget(std::string owner_id, std::string id) {
  // A tombstone that outranks any version a slow reader might still write back.
  auto until = std::chrono::system_clock::now() + lifetime_;
  std::string key = TaskCacheKey(owner_id, id);
  EraseCopy(key);
  std::vector<platform::redis::Command> commands;
  commands.push_back(PutCommand(
      key, std::numeric_limits<std::int64_t>::max() / 2, "",
      std::chrono::duration_cast<std::chrono::milliseconds>(until.time_since_epoch()).count()));
  co_return co_await Send(std::move(commands));
}

app::Async<void> RedisTaskCache::BumpLists(std::string owner_id) {
  std::vector<platform::redis::Command> commands;
  AppendBump(commands, owner_id);
  co_return co_await Send(std::move(commands));
}

app::Async<void> RedisTaskCache::BumpListsOf(std::vector<std::string> owner_ids) {
  std::vector<platform::redis::Command> commands;
  for (const auto& owner_id : owner_ids) AppendBump(commands, owner_id);
  co_return co_await Send(std::move(commands));
}

app::Async<void> RedisTaskCache::ForgetOwner(std::string owner_id) {
  std::string cursor = "0";
  do {
    std::vector<platform::redis::Command> scan;
    scan.push_back({"SCAN", cursor, "MATCH", "task:" + owner_id + ":*", "COUNT", "1000"});
    TODO_CO_TRY(const std::vector<platform::redis::Reply> replies,
                co_await redis_.Execute(std::move(scan)));
    if (replies[0].elements.size() != 2) co_return std::unexpected(platform::Error::Internal());
    cursor = replies[0].elements[0].text;
    std::vector<platform::redis::Command> drop;
    for (const auto& key : replies[0].elements[1].elements) drop.push_back({"DEL", key.text});
    if (!drop.empty()) (void)co_await redis_.Execute(std::move(drop));
  } while (cursor != "0");
  co_return platform::Result<void>{};
}

void RedisTaskCache::BumpListsNow(const std::vector<std::string>& owner_ids) {
  RunHere(BumpListsOf(owner_ids));
}

void RedisTaskCache::ForgetOwnerNow(const std::string& owner_id) { RunHere(ForgetOwner(owner_id)); }

app::Async<void> RedisTaskCache::Send(std::vector<platform::redis::Command> commands) {
  TODO_CO_TRY_VOID(co_await redis_.Execute(std::move(commands)));
  co_return platform::Result<void>{};
}

namespace {

constexpr std::string_view kGetPage = R"lua(
local v = redis.call('GET', KEYS[1]) or '0'
return {v, redis.call('GET', 'tasks:page:' .. ARGV[1] .. ':' .. v .. ':' .. ARGV[2])}
)lua";

}  // namespace

app::Async<RedisTaskCache::CachedPage> RedisTaskCache::GetPage(std::string owner_id,
                                                               std::string query_key) {
  std::vector<platform::redis::Command> commands;
  commands.push_back(
      {"EVAL", std::string(kGetPage), "1", ListVersionKey(owner_id), owner_id, query_key});
  TODO_CO_TRY(const std::vector<platform::redis::Reply> replies,
              co_await redis_.Execute(std::move(commands)));
  const auto& reply = replies[0];
  if (reply.elements.empty()) co_return std::unexpected(platform::Error::Internal());
  CachedPage page{reply.elements[0].text, std::nullopt};
  if (reply.elements.size() > 1 && !reply.elements[1].IsNil()) page.body = reply.elements[1].text;
  co_return page;
}

app::Async<void> RedisTaskCache::PutPage(std::string owner_id, std::string version,
                                         std::string query_key, std::string body) {
  std::vector<platform::redis::Command> commands;
  commands.push_back({"SET", "tasks:page:" + owner_id + ":" + version + ":" + query_key,
                      std::move(body), "EX", std::string(kPageSeconds)});
  co_return co_await Send(std::move(commands));
}

}  // namespace tasks::infra
