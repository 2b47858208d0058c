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
constexpr std::chrono::milliseconds kRetry{500};
constexpr std::chrono::seconds kExpiryEvery{1};

std::int64_t UnixNanos(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

TimePoint Millis(Clock::time_point t) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
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

RevocationFeed::RevocationFeed(bus::JetStream& js, RevocationSet& set,
                               RevocationFeedOptions options)
    : js_(js), set_(set), options_(std::move(options)) {}

RevocationFeed::~RevocationFeed() { Stop(); }

void RevocationFeed::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void RevocationFeed::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RevocationFeed::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void RevocationFeed::Loop() {
  auto& applied = metrics::DefaultRegistry().GetCounter(
      "revocation_events_total", "todo.session.revoked events read into the revocation set");
  // Shared with the metrics callback, which may outlive the feed.
  auto size = std::make_shared<std::atomic<std::int64_t>>(0);
  metrics::DefaultRegistry().AddCallbackGauge("revocation_set_size",
                                              "revoked sessions held in memory",
                                              [size] { return static_cast<double>(size->load()); });
  natsSubscription* sub = nullptr;
  std::uint64_t target = 0;
  auto close = [&sub] {
    if (sub == nullptr) return;
    natsSubscription_Unsubscribe(sub);  // ephemeral: the server drops the consumer too
    natsSubscription_Destroy(sub);
    sub = nullptr;
  };
  auto next_expiry = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (sub == nullptr) {
      auto start = options_.now() - options_.window;
      auto last = LastSequenceSince(js_, options_, start);
      auto subscribed = last ? SubscribeFrom(js_, options_, start)
                             : Result<natsSubscription*>(std::unexpected(last.error()));
      if (!subscribed) {
        set_.SetLive(false);
        Pause(kRetry);
        continue;
      }
      sub = *subscribed;
      target = *last;
      if (target == 0 && !set_.CaughtUp()) {
        set_.MarkCaughtUp();
        log::Info("revocations caught up", {{"events", std::int64_t{0}}});
      }
    }
    natsMsg* msg = nullptr;
    natsStatus s = natsSubscription_NextMsg(&msg, sub, kPoll.count());
    if (s == NATS_OK) {
      ++received_;
      applied.Inc();
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
      if (!set_.CaughtUp() && seq >= target) {
        set_.MarkCaughtUp();
        log::Info("revocations caught up",
                  {{"events", static_cast<std::int64_t>(received_.load())}});
      }
    } else if (s != NATS_TIMEOUT && s != NATS_SLOW_CONSUMER) {
      // The subscription is gone (closed connection, consumer lost): subscribe again from the
      // window's start; events read twice are idempotent.
      log::Warn("revocation feed interrupted", {{"status", natsStatus_GetText(s)}});
      close();
      set_.SetLive(false);
      Pause(kRetry);
      continue;
    }
    set_.SetLive(js_.Connected() && natsSubscription_IsValid(sub));
    if (std::chrono::steady_clock::now() >= next_expiry) {
      set_.DropExpired(Millis(options_.now()));
      *size = static_cast<std::int64_t>(set_.Size());
      next_expiry = std::chrono::steady_clock::now() + kExpiryEvery;
    }
  }
  close();
  set_.SetLive(false);
}

}  // namespace platform::auth
