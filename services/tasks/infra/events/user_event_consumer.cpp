#include "infra/events/user_event_consumer.hpp"

#include <rapidjson/document.h>

#include <vector>

#include "infra/events/task_events.hpp"
#include "infra/pg/queries.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/log.hpp"
#include "platform/time.hpp"
#include "platform/try.hpp"

namespace tasks::infra {

namespace pg = platform::pg;
using Next = platform::BackgroundLoop::Next;

namespace {

constexpr int kMaxDeliver = 5;
// Creating the consumer or connecting to PostgreSQL failed: the next try comes this much later.
constexpr platform::BackgroundLoop::Backoff kRetry{std::chrono::milliseconds(500),
                                                   std::chrono::milliseconds(500)};

// Erases a deleted user's tasks (with their todo.task.deleted events) and keys.
pg::DbResult<void> EraseUser(pg::Connection& tx, const std::string& user_id,
                             const std::string& version) {
  TODO_TRY_VOID(tx.Execute(queries::kMarkUserDeleted, {user_id, version}));
  TODO_TRY(auto erased, tx.Execute(queries::kEraseUserTasks, {user_id}));
  TODO_TRY_VOID(tx.Execute(queries::kEraseUserKeys, {user_id}));
  std::vector<platform::bus::EventDraft> events;
  events.reserve(static_cast<std::size_t>(erased.Size()));
  for (int i = 0; i < erased.Size(); ++i) {
    auto row = erased.At(i);
    TODO_TRY(auto id, row.Text("id"));
    TODO_TRY(auto owner_id, row.Text("owner_id"));
    TODO_TRY(auto last_version, row.Int("version"));
    events.push_back(
        TaskDeletedEvent(id, owner_id, last_version + 1, DeletedBy::kOwnerErasure, std::nullopt));
  }
  // Enqueuing wakes the relay on commit; no events (nothing erased) writes nothing.
  return platform::bus::EnqueueEvents(tx, events,
                                      platform::FormatTimestamp(platform::Clock::now()));
}

}  // namespace

UserEventConsumer::UserEventConsumer(std::string pg_conninfo, platform::bus::JetStream& js,
                                     std::function<void(const std::string&)> on_erased)
    : conninfo_(std::move(pg_conninfo)),
      js_(js),
      on_erased_(std::move(on_erased)),
      loop_("tasks-users-consumer", this, &UserEventConsumer::Step, kRetry) {}

UserEventConsumer::~UserEventConsumer() { Stop(); }

void UserEventConsumer::Start() {
  dead_letters_ = &platform::metrics::DefaultRegistry().GetCounter(
      "consumer_dead_letters_total", "events parked after failing every delivery",
      {{"consumer", "tasks-users"}});
  loop_.Start();
}

void UserEventConsumer::Stop() {
  loop_.Stop();
  consumer_.reset();
  conn_.reset();
}

pg::DbResult<void> UserEventConsumer::Apply(pg::Connection& conn, std::string_view subject,
                                            std::string_view payload) {
  rapidjson::Document event;
  event.Parse(payload.data(), payload.size());
  if (!event.IsObject() || !event.HasMember("data") || !event["data"].IsObject() ||
      !event.HasMember("entityversion") || !event["entityversion"].IsInt64()) {
    return std::unexpected(pg::DbError{"", "malformed event envelope"});
  }
  const auto& data = event["data"];
  if (!data.HasMember("id") || !data["id"].IsString()) {
    return std::unexpected(pg::DbError{"", "event data has no id"});
  }
  std::string user_id = data["id"].GetString();
  std::string version = std::to_string(event["entityversion"].GetInt64());
  if (subject == "todo.user.deleted") {
    TODO_TRY_VOID(
        conn.Transaction([&](pg::Connection& tx) { return EraseUser(tx, user_id, version); }));
    if (on_erased_) on_erased_(user_id);
    return {};
  }
  if (subject == "todo.user.created" || subject == "todo.user.updated") {
    std::string timezone = data.HasMember("timezone") && data["timezone"].IsString()
                               ? data["timezone"].GetString()
                               : "UTC";
    pg::Param ttl;
    if (data.HasMember("default_task_ttl_seconds") && data["default_task_ttl_seconds"].IsInt64()) {
      ttl = std::to_string(data["default_task_ttl_seconds"].GetInt64());
    }
    TODO_TRY_VOID(conn.Execute(queries::kUpsertUser, {user_id, timezone, ttl, version}));
    return {};
  }
  return {};  // another todo.user.* type: nothing tasks needs
}

Next UserEventConsumer::Step() {
  if (!consumer_) {
    auto created = platform::bus::PullConsumer::Create(js_, "TODO", "tasks-users", "todo.user.>",
                                                       kMaxDeliver, std::chrono::seconds(30));
    if (!created) return Next::Failed();
    consumer_ = std::move(*created);
  }
  if (!conn_ || !conn_->Healthy()) {
    auto opened = pg::Connection::Open(conninfo_);
    if (!opened) return Next::Failed();
    conn_ = std::move(*opened);
  }
  auto batch = consumer_->Fetch(64, std::chrono::milliseconds(250));
  if (!batch) return Next::Now();  // Fetch waited (or failed at once): the next fetch follows
  for (auto& message : *batch) Settle(message, Apply(*conn_, message.Subject(), message.Data()));
  return Next::Now();
}

void UserEventConsumer::Settle(platform::bus::Message& message, const pg::DbResult<void>& applied) {
  if (applied) {
    (void)message.Ack();
    return;
  }
  platform::log::Warn("user event failed",
                      {{"subject", message.Subject()}, {"error", applied.error().message}});
  if (message.NumDelivered() >= static_cast<std::uint64_t>(kMaxDeliver)) {
    (void)conn_->Execute(queries::kParkDeadLetter,
                         {std::string(message.Subject()), message.MsgId(),
                          std::string(message.Data()), applied.error().message});
    dead_letters_->Inc();
    (void)message.Term();
  } else {
    (void)message.Nak(std::chrono::milliseconds(200) * message.NumDelivered());
  }
}

}  // namespace tasks::infra
