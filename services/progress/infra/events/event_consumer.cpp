#include "infra/events/event_consumer.hpp"

#include "infra/pg/queries.hpp"
#include "platform/log.hpp"
#include "platform/try.hpp"

namespace progress::infra {

namespace pg = platform::pg;
using platform::BackgroundLoop;

namespace {

constexpr std::chrono::milliseconds kFetchWait{250};
// Retries wait a little (the broker or the database is restarting), cut short by Stop().
constexpr BackgroundLoop::Backoff kRetry{std::chrono::milliseconds(500),
                                         std::chrono::milliseconds(500)};

}  // namespace

EventConsumer::EventConsumer(std::string pg_conninfo, platform::bus::JetStream& js,
                             ConsumerOptions options)
    : conninfo_(std::move(pg_conninfo)),
      js_(js),
      options_(std::move(options)),
      applied_total_(platform::metrics::DefaultRegistry().GetCounter(
          "progress_events_applied_total", "events folded into the progress read model")),
      dead_letters_total_(platform::metrics::DefaultRegistry().GetCounter(
          "consumer_dead_letters_total", "events parked after failing every delivery",
          {{"consumer", options_.durable}})),
      loop_("progress-consumer", this, &EventConsumer::Step, kRetry) {
  platform::metrics::DefaultRegistry().AddCallbackGauge(
      "consumer_pending", "events in the stream not yet applied (as last seen by the consumer)",
      [pending = pending_] { return static_cast<double>(pending->load()); });
}

EventConsumer::~EventConsumer() { Stop(); }

void EventConsumer::Start() { loop_.Start(); }

void EventConsumer::Stop() {
  loop_.Stop();
  consumer_.reset();
  conn_.reset();
}

BackgroundLoop::Next EventConsumer::Step() {
  if (!consumer_) {
    auto created =
        platform::bus::PullConsumer::Create(js_, options_.stream, options_.durable, options_.filter,
                                            options_.max_deliver, std::chrono::seconds(30));
    if (!created) return BackgroundLoop::Next::Failed();
    consumer_ = std::move(*created);
  }
  if (!conn_ || !conn_->Healthy()) {
    auto opened = pg::Connection::Open(conninfo_);
    if (!opened) return BackgroundLoop::Next::Failed();
    conn_ = std::move(*opened);
  }
  auto batch = consumer_->Fetch(options_.batch, kFetchWait);
  if (!batch) {
    consumer_.reset();  // the durable may be gone (rebuild) or the connection restarting
    return BackgroundLoop::Next::Failed();
  }
  ApplyBatch(*batch);
  // After the batch's acks (or an idle wait): what is left is the lag.
  if (auto pending = consumer_->Pending()) {
    *pending_ = static_cast<std::int64_t>(*pending);
  } else {
    platform::log::Warn("consumer lag unknown", {{"error", pending.error().detail}});
  }
  return BackgroundLoop::Next::Now();
}

// The whole batch in one commit; if any event fails, each is retried on its own so only the
// failing one is redelivered (and, in the end, parked).
void EventConsumer::ApplyBatch(std::vector<platform::bus::Message>& batch) {
  std::vector<ConsumedEvent> events;
  events.reserve(batch.size());
  for (auto& message : batch) {
    auto event = ReadEvent(message.Data());
    if (!event) break;
    events.push_back(std::move(*event));
  }
  std::vector<std::uint64_t> seqs;
  seqs.reserve(batch.size());
  for (const auto& message : batch) seqs.push_back(message.StreamSequence());
  bool together = events.size() == batch.size() &&
                  conn_
                      ->Transaction([&](pg::Connection& tx) -> pg::DbResult<void> {
                        return applier_.FoldBatch(tx, events, seqs, true);
                      })
                      .has_value();
  for (auto& message : batch) {
    Settle(message, together ? std::expected<void, ApplyError>()
                             : applier_.Apply(*conn_, message.Data(), message.StreamSequence()));
  }
}

// Acknowledges an applied message; asks for a later redelivery of a failed one, or parks it
// when it has had every delivery.
void EventConsumer::Settle(platform::bus::Message& message,
                           const std::expected<void, ApplyError>& result) {
  if (result) {
    (void)message.Ack();
    applied_total_.Inc();
    ++applied_;
    return;
  }
  std::string error = result.error().Message();
  platform::log::Warn("event failed", {{"subject", message.Subject()}, {"error", error}});
  if (message.NumDelivered() >= static_cast<std::uint64_t>(options_.max_deliver)) {
    (void)conn_->Execute(queries::kParkDeadLetter, {std::string(message.Subject()), message.MsgId(),
                                                    std::string(message.Data()), error});
    dead_letters_total_.Inc();
    (void)message.Term();
  } else {
    (void)message.Nak(std::chrono::milliseconds(200) * static_cast<int>(message.NumDelivered()));
  }
}

platform::Result<void> DropReadModel(const std::string& pg_conninfo, platform::bus::JetStream& js,
                                     const ConsumerOptions& options) {
  TODO_TRY(auto conn, pg::Connection::Open(pg_conninfo));
  // The consumer first: if the truncate then failed, a restart would replay onto what is
  // there, which applying is idempotent for.
  TODO_TRY_VOID(js.DeleteConsumer(options.stream, options.durable));
  TODO_TRY_VOID(conn->Execute(queries::kDropReadModel));
  return {};
}

}  // namespace progress::infra
