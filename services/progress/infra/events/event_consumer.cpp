#include "infra/events/event_consumer.hpp"

#include "infra/pg/progress_queries.hpp"
#include "platform/bus/consumer.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"

namespace progress::infra {

namespace pg = platform::pg;

EventConsumer::EventConsumer(std::string pg_conninfo, platform::bus::JetStream& js,
                             ConsumerOptions options)
    : conninfo_(std::move(pg_conninfo)), js_(js), options_(std::move(options)) {
  platform::metrics::DefaultRegistry().AddCallbackGauge(
      "consumer_pending", "events in the stream not yet applied (as last seen by the consumer)",
      [pending = pending_] { return static_cast<double>(pending->load()); });
}

EventConsumer::~EventConsumer() { Stop(); }

void EventConsumer::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void EventConsumer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void EventConsumer::Loop() {
  auto& applied = platform::metrics::DefaultRegistry().GetCounter(
      "progress_events_applied_total", "events folded into the progress read model");
  auto& dead = platform::metrics::DefaultRegistry().GetCounter(
      "consumer_dead_letters_total", "events parked after failing every delivery",
      {{"consumer", options_.durable}});
  std::unique_ptr<platform::bus::PullConsumer> consumer;
  std::unique_ptr<pg::Connection> conn;
  // Retries wait a little (the broker or the database is restarting), bounded by Stop().
  auto pause = [this] {
    for (int i = 0; i < 5 && !stopping_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  while (!stopping_) {
    if (!consumer) {
      auto created = platform::bus::PullConsumer::Create(js_, options_.stream, options_.durable,
                                                         options_.filter, options_.max_deliver,
                                                         std::chrono::seconds(30));
      if (!created) {
        pause();
        continue;
      }
      consumer = std::move(*created);
    }
    if (!conn || !conn->Healthy()) {
      auto opened = pg::Connection::Open(conninfo_);
      if (!opened) {
        pause();
        continue;
      }
      conn = std::move(*opened);
    }
    auto batch = consumer->Fetch(64, std::chrono::milliseconds(250));
    if (!batch) {
      consumer.reset();  // the durable may be gone (rebuild) or the connection restarting
      pause();
      continue;
    }
    // The whole batch in one commit; if any event fails, each is retried on its own so only
    // the failing one is redelivered (and, in the end, parked).
    auto together = conn->Transaction([&](pg::Connection& tx) -> pg::DbResult<void> {
      for (auto& message : *batch) {
        auto r = applier_.ApplyIn(tx, message.Subject(), message.Data(), message.StreamSequence());
        if (!r) return r;
      }
      return {};
    });
    for (auto& message : *batch) {
      auto result = together ? together
                             : applier_.Apply(*conn, message.Subject(), message.Data(),
                                              message.StreamSequence());
      if (result) {
        (void)message.Ack();
        applied.Inc();
        ++applied_;
        continue;
      }
      platform::log::Warn("event failed",
                          {{"subject", message.Subject()}, {"error", result.error().message}});
      if (message.NumDelivered() >= static_cast<std::uint64_t>(options_.max_deliver)) {
        (void)conn->Execute(queries::kPark, {std::string(message.Subject()), message.MsgId(),
                                             std::string(message.Data()), result.error().message});
        dead.Inc();
        (void)message.Term();
      } else {
        (void)message.Nak(std::chrono::milliseconds(200) *
                          static_cast<int>(message.NumDelivered()));
      }
    }
    // After the batch's acks (or an idle wait): what is left is the lag.
    if (auto pending = consumer->Pending()) {
      *pending_ = static_cast<std::int64_t>(*pending);
    } else {
      platform::log::Warn("consumer lag unknown", {{"error", pending.error().detail}});
    }
  }
}

platform::Result<void> DropReadModel(const std::string& pg_conninfo, platform::bus::JetStream& js,
                                     const ConsumerOptions& options) {
  auto conn = pg::Connection::Open(pg_conninfo);
  if (!conn) return std::unexpected(conn.error().ToError());
  // The consumer first: if the truncate then failed, a restart would replay onto what is
  // there, which applying is idempotent for.
  if (auto deleted = js.DeleteConsumer(options.stream, options.durable); !deleted) {
    return std::unexpected(deleted.error());
  }
  auto dropped = (*conn)->Execute(queries::kDropReadModel);
  if (!dropped) return std::unexpected(dropped.error().ToError());
  return {};
}

}  // namespace progress::infra
