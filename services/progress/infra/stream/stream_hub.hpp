#pragma once
// StreamHub: the live streams (GET /v1/stream) of this process, fed by push only. A background
// loop LISTENs on `progress_activity` (payload: an owner's id, notified on commit by the event
// applier of whichever replica applied the events); for a person with open streams it reads
// what is new once, encodes each event once, and hands the same bytes to every stream of that
// person. An idle stream costs no query and wakes only for its heartbeat; a revoked session
// reaches its streams as a call from the revocation feed, not as a poll.

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/background_loop.hpp"

namespace platform::pg {
class Connection;
}

namespace progress::infra {

// StreamEvent: one activity item as a stream writes it (Server-Sent Events text), encoded
// once and shared by every stream of its person.
struct StreamEvent {
  std::int64_t seq = 0;
  std::string text;
};
using SharedEvent = std::shared_ptr<const StreamEvent>;

class StreamHub {
 public:
  // An inbox holds at most this many undelivered events; beyond it the stream reads what it
  // missed from the read model itself (a slow reader never makes the hub's memory grow).
  static constexpr std::size_t kInboxLimit = 2000;

  // Inbox: one open stream's: the events handed to it and what it was asked to do.
  class Inbox {
   public:
    Inbox(boost::asio::any_io_executor executor, std::string session_id)
        : timer_(executor), session_id_(std::move(session_id)) {}
    // Resumes when events arrived, a token check was asked for, the hub woke everyone, or
    // after at_most. One waiter, on the executor given at Subscribe.
    boost::asio::awaitable<void> Wait(std::chrono::milliseconds at_most);
    // The events handed over since the last call, oldest first.
    std::vector<SharedEvent> TakeEvents();
    // The stream must check its token again (its session was revoked, or revocations can no
    // longer be followed); the request is cleared.
    bool TakeRecheck();
    // Events were dropped (kInboxLimit): the stream reads the read model after its last id.
    bool TakeOverflow();

   private:
    friend class StreamHub;
    void Deliver(const std::vector<SharedEvent>& events);
    void AskRecheck();
    static void Ring(const std::shared_ptr<Inbox>& inbox);

    std::mutex mutex_;
    std::vector<SharedEvent> events_;
    bool recheck_ = false;
    bool overflow_ = false;
    std::atomic<bool> rung_{false};
    boost::asio::steady_timer timer_;
    const std::string session_id_;
  };

  // Subscription: an inbox registered with the hub for as long as the subscription lives.
  class Subscription {
   public:
    Subscription(StreamHub* hub, std::string user_id, std::shared_ptr<Inbox> inbox, bool behind)
        : hub_(hub), user_id_(std::move(user_id)), inbox_(std::move(inbox)), behind_(behind) {}
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    Inbox& operator*() const { return *inbox_; }
    Inbox* operator->() const { return inbox_.get(); }
    // The hub had already handed the person's streams events after the subscriber's last one:
    // the stream reads those from the read model itself.
    bool Behind() const { return behind_; }
    // Wakes the stream's wait (its client went, say).
    void Wake() const { Inbox::Ring(inbox_); }

   private:
    StreamHub* hub_;
    std::string user_id_;
    std::shared_ptr<Inbox> inbox_;
    bool behind_;
  };

  explicit StreamHub(std::string pg_conninfo);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  void Start();
  void Stop();

  // Registers a stream of the person that has written everything up to `after_seq` (the
  // latest event when it opened). Opening costs no query here: the first stream of a person
  // makes the hub read for them only when they were notified in the last seconds (an event
  // committed between the opener's read of `after_seq` and this call).
  std::unique_ptr<Subscription> Subscribe(const std::string& user_id, const std::string& session_id,
                                          boost::asio::any_io_executor executor,
                                          std::int64_t after_seq);
  // A session was revoked: its streams check their token. Empty: every stream does.
  void Recheck(std::string_view session_id);
  // Wakes every stream (a shutdown: each then sees StreamWriter::Stopping()).
  void WakeAll();

  // The hub is listening for notifications (after Start, and again after a reconnect).
  bool Listening() const { return listening_.load(); }
  // Streams registered now.
  std::size_t Open() const;
  // Statements run for streams since start (the hub's reads and the streams' catch-ups).
  std::uint64_t Queries() const { return queries_.load(); }
  void CountQuery() { queries_.fetch_add(1); }

 private:
  // Person: the streams of one person and the last event handed to them.
  struct Person {
    std::int64_t delivered_seq = 0;
    std::vector<std::shared_ptr<Inbox>> inboxes;
  };

  void Leave(const std::string& user_id, const Inbox* inbox);
  // Reads what is new for the person (when they have streams) and hands it over.
  void Deliver(const std::string& user_id);
  // Gives freed memory back to the system once many streams have closed: the allocator keeps
  // what thousands of closed streams used otherwise.
  void ReturnMemory();
  // Listens (again) when not listening, then delivers for what is notified within a short wait.
  platform::BackgroundLoop::Next Step();

  std::string conninfo_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Person> people_;
  // Streams registered (changed under mutex_); shared with the progress_streams_open gauge,
  // whose callback may outlive the hub.
  std::shared_ptr<std::atomic<std::size_t>> open_ = std::make_shared<std::atomic<std::size_t>>(0);
  std::atomic<std::uint64_t> queries_{0};
  std::atomic<bool> listening_{false};
  // People notified lately (pruned after kRecentWindow) and those the hub must read for
  // because a first stream of theirs opened meanwhile; under mutex_.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> recently_notified_;
  std::vector<std::string> pending_reads_;
  std::chrono::steady_clock::time_point pruned_at_{};
  // The most streams open since memory was last given back (see ReturnMemory).
  std::size_t open_mark_ = 0;
  // The listening connection, also the one the hub reads on: the loop's thread's only.
  std::unique_ptr<platform::pg::Connection> conn_;
  platform::BackgroundLoop loop_;
};

}  // namespace progress::infra
