#include "infra/events/user_event_consumer.hpp"

#include <rapidjson/document.h>

#include "infra/pg/task_queries.hpp"
#include "platform/bus/consumer.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"

namespace tasks::infra {

namespace pg = platform::pg;

namespace {

constexpr int kMaxDeliver = 5;
constexpr pg::Query kPark{"tasks_park_dead_letter",
                          "INSERT INTO dead_letters (subject, msg_id, payload, error) "
                          "VALUES ($1, $2, $3, $4)"};
constexpr pg::Query kWakeRelay{"tasks_consumer_wake_relay", "SELECT pg_notify('todo_outbox', '')"};

}  // namespace

UserEventConsumer::UserEventConsumer(std::string pg_conninfo, platform::bus::JetStream& js,
                                     std::function<void(const std::string&)> on_erased)
    : conninfo_(std::move(pg_conninfo)), js_(js), on_erased_(std::move(on_erased)) {}

UserEventConsumer::~UserEventConsumer() { Stop(); }

void UserEventConsumer::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void UserEventConsumer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
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
    auto r = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<void> {
      if (auto m = tx.Execute(queries::kMarkUserDeleted, {user_id, version}); !m) {
        return std::unexpected(m.error());
      }
      auto erased = tx.Execute(queries::kEraseUserTasks, {user_id});
      if (!erased) return std::unexpected(erased.error());
      if (auto k = tx.Execute(queries::kEraseUserKeys, {user_id}); !k) {
        return std::unexpected(k.error());
      }
      if (!erased->Empty()) {
        if (auto w = tx.Execute(kWakeRelay); !w) return std::unexpected(w.error());
      }
      return {};
    });
    if (r && on_erased_) on_erased_(user_id);
    return r;
  }
  if (subject == "todo.user.created" || subject == "todo.user.updated") {
    std::string timezone = data.HasMember("timezone") && data["timezone"].IsString()
                               ? data["timezone"].GetString()
                               : "UTC";
    pg::Param ttl;
    if (data.HasMember("default_task_ttl_seconds") && data["default_task_ttl_seconds"].IsInt64()) {
      ttl = std::to_string(data["default_task_ttl_seconds"].GetInt64());
    }
    auto r = conn.Execute(queries::kUpsertUser, {user_id, timezone, ttl, version});
    if (!r) return std::unexpected(r.error());
    return {};
  }
  return {};  // another todo.user.* type: nothing tasks needs
}

void UserEventConsumer::Loop() {
  auto& dead = platform::metrics::DefaultRegistry().GetCounter(
      "consumer_dead_letters_total", "events parked after failing every delivery",
      {{"consumer", "tasks-users"}});
  std::unique_ptr<platform::bus::PullConsumer> consumer;
  std::unique_ptr<pg::Connection> conn;
  while (!stopping_) {
    if (!consumer) {
      auto created = platform::bus::PullConsumer::Create(js_, "TODO", "tasks-users", "todo.user.>",
                                                         kMaxDeliver, std::chrono::seconds(30));
      if (!created) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      consumer = std::move(*created);
    }
    if (!conn || !conn->Healthy()) {
      auto opened = pg::Connection::Open(conninfo_);
      if (!opened) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      conn = std::move(*opened);
    }
    auto batch = consumer->Fetch(64, std::chrono::milliseconds(250));
    if (!batch) continue;
    for (auto& message : *batch) {
      auto applied = Apply(*conn, message.Subject(), message.Data());
      if (applied) {
        (void)message.Ack();
        continue;
      }
      platform::log::Warn("user event failed",
                          {{"subject", message.Subject()}, {"error", applied.error().message}});
      if (message.NumDelivered() >= static_cast<std::uint64_t>(kMaxDeliver)) {
        (void)conn->Execute(kPark, {std::string(message.Subject()), message.MsgId(),
                                    std::string(message.Data()), applied.error().message});
        dead.Inc();
        (void)message.Term();
      } else {
        (void)message.Nak(std::chrono::milliseconds(200) * message.NumDelivered());
      }
    }
  }
}

}  // namespace tasks::infra
