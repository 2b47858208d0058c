#include "platform/auth/revocation_feed.hpp"

#include <nats/nats.h>

#include <memory>

#include "platform/auth/session_revoked.hpp"
#include "platform/bus/nats_error.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"

namespace platform::auth {
namespace {

constexpr std::chrono::milliseconds kPoll{100};
// A failed subscription is retried after this long, every time (no growing back-off).
constexpr BackgroundLoop::Backoff kRetry{std::chrono::milliseconds(500),
                                         std::chrono::milliseconds(500)};
constexpr std::chrono::seconds kExpiryEvery{1};
constexpr std::chrono::seconds kConsumerCheckEvery{5};

std::int64_t UnixNanos(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

TimePoint Millis(Clock::time_point t) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
}

// The replay's start, down to a whole second. nats.c (3.4) writes OptStartTime's fraction
// without its leading zeros (0.05 s goes out as ".5"), which would start the consumer up to
// 0.9 s after the events LastSequenceSince counts, and the feed would wait for one it is never
// sent. A whole second has no fraction to write; the window grows by less than a second.
Clock::time_point ReplayStart(Clock::time_point start) {
  return std::chrono::floor<std::chrono::seconds>(start);
}

// The stream sequence of the newest event stored at or after `start`, or 0 when there is none:
// the replay has caught up once it has read that sequence.
Result<std::uint64_t> LastSequenceSince(bus::JetStream& js, const RevocationFeedOptions& options,
                                        Clock::time_point start) {
  natsMsg* last = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(&last, js.RawContext(), options.stream.c_str(),
                               options.subject.c_str(), nullptr, &code);
  if (s != NATS_OK) {
    if (code == JSNoMessageFoundErr) return std::uint64_t{0};
    return std::unexpected(bus::NatsError("last revocation", s, code));
  }
  std::uint64_t seq = natsMsg_GetSequence(last);
  bool in_window = natsMsg_GetTime(last) >= UnixNanos(start);
  natsMsg_Destroy(last);
  return in_window ? seq : 0;
}

std::uint64_t Reconnects(bus::JetStream& js) {
  natsStatistics* stats = nullptr;
  if (natsStatistics_Create(&stats) != NATS_OK) return 0;
  std::uint64_t reconnects = 0;
  if (natsConnection_GetStats(js.RawConnection(), stats) == NATS_OK) {
    natsStatistics_GetCounts(stats, nullptr, nullptr, nullptr, nullptr, &reconnects);
  }
  natsStatistics_Destroy(stats);
  return reconnects;
}

// False only when the server says the consumer does not exist (a timeout proves nothing).
bool ConsumerExists(natsSubscription* sub) {
  jsConsumerInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_GetConsumerInfo(&info, sub, nullptr, &code);
  if (s == NATS_OK) {
    jsConsumerInfo_Destroy(info);
    return true;
  }
  return code != JSConsumerNotFoundErr;
}

Result<natsSubscription*> SubscribeFrom(bus::JetStream& js, const RevocationFeedOptions& options,
                                        Clock::time_point start) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options.stream.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverByStartTime;
  so.Config.OptStartTime = UnixNanos(start);
  natsSubscription* sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s =
      js_SubscribeSync(&sub, js.RawContext(), options.subject.c_str(), nullptr, &so, &code);
  if (s != NATS_OK) return std::unexpected(bus::NatsError("subscribe to revocations", s, code));
  return sub;
}

}  // namespace

std::chrono::seconds RevocationWindow(std::chrono::seconds access_ttl) {
  // Twice the margin: an event's `until` is revoked_at + ttl + margin, and it is stored after
  // revoked_at; the second margin absorbs clock differences between this host and the stream's.
  return access_ttl + 2 * kRevocationMargin;
}

struct RevocationFeed::Follow {
  Follow(metrics::Counter& counter, std::shared_ptr<std::atomic<std::int64_t>> set_size)
      : applied(counter), size(std::move(set_size)) {}
  ~Follow() { Close(); }
  Follow(const Follow&) = delete;
  Follow& operator=(const Follow&) = delete;

  metrics::Counter& applied;
  // Shared with the metrics callback, which may outlive the feed.
  std::shared_ptr<std::atomic<std::int64_t>> size;
  natsSubscription* sub = nullptr;
  std::uint64_t target = 0;  // the subscription is in sync once it has read this sequence
  bool synced = false;
  std::uint64_t reconnects = 0;  // the connection's reconnect count when it subscribed
  std::chrono::steady_clock::time_point next_expiry = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point next_consumer_check =
      std::chrono::steady_clock::now() + kConsumerCheckEvery;

  void Close() {
    if (sub == nullptr) return;
    natsSubscription_Unsubscribe(sub);  // ephemeral: the server drops the consumer too
    natsSubscription_Destroy(sub);
    sub = nullptr;
  }
};

RevocationFeed::RevocationFeed(bus::JetStream& js, RevocationSet& set,
                               RevocationFeedOptions options)
    : js_(js),
      set_(set),
      options_(std::move(options)),
      loop_("revocation feed", this, &RevocationFeed::Step, kRetry) {}

RevocationFeed::~RevocationFeed() { Stop(); }

void RevocationFeed::Start() {
  if (follow_) return;
  auto& applied = metrics::DefaultRegistry().GetCounter(
      "revocation_events_total", "todo.session.revoked events read into the revocation set");
  auto size = std::make_shared<std::atomic<std::int64_t>>(0);
  metrics::DefaultRegistry().AddCallbackGauge("revocation_set_size",
                                              "revoked sessions held in memory",
                                              [size] { return static_cast<double>(size->load()); });
  follow_ = std::make_unique<Follow>(applied, std::move(size));
  loop_.Start();
}

void RevocationFeed::Stop() {
  loop_.Stop();
  if (!follow_) return;
  follow_.reset();  // closes the subscription
  set_.SetLive(false);
}

void RevocationFeed::MarkSynced() {
  follow_->synced = true;
  if (set_.CaughtUp()) return;
  set_.MarkCaughtUp();
  log::Info("revocations caught up", {{"events", static_cast<std::int64_t>(received_.load())}});
}

BackgroundLoop::Next RevocationFeed::Step() {
  Follow& f = *follow_;
  if (f.sub == nullptr) {
    set_.SetLive(false);
    auto start = ReplayStart(options_.now() - options_.window);
    f.reconnects = Reconnects(js_);
    auto last = LastSequenceSince(js_, options_, start);
    auto subscribed = last ? SubscribeFrom(js_, options_, start)
                           : Result<natsSubscription*>(std::unexpected(last.error()));
    if (!subscribed) return BackgroundLoop::Next::Failed();
    f.sub = *subscribed;
    f.target = *last;
    f.synced = false;
    if (f.target == 0) MarkSynced();
  }
  natsMsg* msg = nullptr;
  natsStatus s = natsSubscription_NextMsg(&msg, f.sub, kPoll.count());
  if (s == NATS_OK) {
    ++received_;
    f.applied.Inc();
    jsMsgMetaData* meta = nullptr;
    std::uint64_t seq = 0;
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
      seq = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
    std::string_view data(natsMsg_GetData(msg),
                          static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    auto revocation = ParseSessionRevoked(data);
    if (revocation) {
      set_.Add(revocation->session_id, revocation->until, Millis(options_.now()));
    } else {
      log::Warn("revocation event skipped", {{"error", revocation.error().detail}});
    }
    natsMsg_Destroy(msg);
    if (!f.synced && seq >= f.target) MarkSynced();
  } else if (s != NATS_TIMEOUT && s != NATS_SLOW_CONSUMER) {
    // The subscription is gone (closed connection, consumer lost): subscribe again from the
    // window's start; events read twice are idempotent.
    log::Warn("revocation feed interrupted", {{"status", natsStatus_GetText(s)}});
    f.Close();
    return BackgroundLoop::Next::Failed();
  }
  auto now = std::chrono::steady_clock::now();
  // After a reconnect (a restarted server may have lost the ephemeral consumer, which the
  // library does not always notice), or once the server says the consumer is gone, the
  // subscription is made again; until it is back in sync the set is not live.
  bool lost = Reconnects(js_) != f.reconnects;
  if (!lost && now >= f.next_consumer_check) {
    lost = !ConsumerExists(f.sub);
    f.next_consumer_check = now + kConsumerCheckEvery;
  }
  if (lost) {
    log::Warn("revocation feed subscribes again", {{"reason", "reconnect or consumer lost"}});
    f.Close();
    return BackgroundLoop::Next::Now();
  }
  set_.SetLive(f.synced && js_.Connected() && natsSubscription_IsValid(f.sub));
  if (now >= f.next_expiry) {
    set_.DropExpired(Millis(options_.now()));
    *f.size = static_cast<std::int64_t>(set_.Size());
    f.next_expiry = now + kExpiryEvery;
  }
  return BackgroundLoop::Next::Now();
}

}  // namespace platform::auth
