#pragma once
// RevocationFeed: fills a RevocationSet from the stream: at start-up it replays the
// todo.session.revoked events of the last access-token lifetime (a bounded replay), then
// follows new ones live.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "platform/auth/revocation_set.hpp"
#include "platform/background_loop.hpp"
#include "platform/bus/jetstream.hpp"

namespace platform::auth {

// RevocationFeedOptions: where the events are, and how far back the replay reaches.
struct RevocationFeedOptions {
  std::string stream = "TODO";
  std::string subject = "todo.session.revoked";
  // The replay starts this long before now, down to a whole second: older events are not read.
  // It must cover the access-token lifetime plus kRevocationMargin (RevocationWindow does).
  std::chrono::seconds window{900 + 120};
  std::function<Clock::time_point()> now = [] { return Clock::now(); };
};

// The replay window for access tokens living `access_ttl`: every revocation whose `until` is
// still ahead was stored in the stream after now - window.
std::chrono::seconds RevocationWindow(std::chrono::seconds access_ttl);

// RevocationFeed: a per-process ordered consumer (ephemeral, no acks, DeliverByStartTime), not a
// shared durable, since every replica needs every event. Marks the set caught up once it has
// read the last event that existed when it subscribed, and keeps the set's Live() flag and its
// expiry of old entries up to date. After a reconnect, or when the server no longer knows the
// consumer, it subscribes again from the window's start (Live() is false until it is in sync).
class RevocationFeed {
 public:
  RevocationFeed(bus::JetStream& js, RevocationSet& set, RevocationFeedOptions options = {});
  ~RevocationFeed();
  RevocationFeed(const RevocationFeed&) = delete;
  RevocationFeed& operator=(const RevocationFeed&) = delete;

  void Start();
  void Stop();
  // Events read from the stream since start (tests check that the replay is bounded).
  std::uint64_t Received() const { return received_.load(); }

 private:
  // What the loop's thread keeps between steps (the subscription and where the replay is).
  struct Follow;

  // One step: subscribe if need be, then read one message or time out after a short poll.
  BackgroundLoop::Next Step();
  void MarkSynced();

  bus::JetStream& js_;
  RevocationSet& set_;
  RevocationFeedOptions options_;
  std::atomic<std::uint64_t> received_{0};
  std::unique_ptr<Follow> follow_;  // while started; touched by the loop's thread only
  BackgroundLoop loop_;
};

}  // namespace platform::auth
