#include "infra/stream/stream_hub.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <malloc.h>

#include <algorithm>
#include <unordered_set>

#include "infra/pg/progress_rows.hpp"
#include "infra/pg/queries.hpp"
#include "infra/stream/sse_event.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/pg/connection.hpp"
#include "platform/uuid.hpp"

namespace progress::infra {

using platform::BackgroundLoop;

namespace {

// Reconnecting waits a little (the database is restarting), cut short by Stop().
constexpr BackgroundLoop::Backoff kReconnect{std::chrono::milliseconds(500),
                                             std::chrono::milliseconds(500)};
// How long one step waits for a notification: also how soon Stop() is seen.
constexpr std::chrono::milliseconds kListenWait{100};
// Rows read per statement when handing new events over.
constexpr int kReadPage = 1000;
// How long a notification counts as recent (far longer than a stream takes to open).
constexpr std::chrono::seconds kRecentWindow{10};

}  // namespace

boost::asio::awaitable<void> StreamHub::Inbox::Wait(std::chrono::milliseconds at_most) {
  if (rung_.exchange(false)) co_return;
  timer_.expires_after(at_most);
  boost::system::error_code ec;
  co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  rung_ = false;
}

std::vector<SharedEvent> StreamHub::Inbox::TakeEvents() {
  std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

bool StreamHub::Inbox::TakeRecheck() {
  std::lock_guard lock(mutex_);
  return std::exchange(recheck_, false);
}

bool StreamHub::Inbox::TakeOverflow() {
  std::lock_guard lock(mutex_);
  return std::exchange(overflow_, false);
}

void StreamHub::Inbox::Deliver(const std::vector<SharedEvent>& events) {
  std::lock_guard lock(mutex_);
  if (overflow_) return;  // the stream reads the read model anyway
  if (events_.size() + events.size() > kInboxLimit) {
    events_.clear();
    events_.shrink_to_fit();
    overflow_ = true;
    return;
  }
  events_.insert(events_.end(), events.begin(), events.end());
}

void StreamHub::Inbox::AskRecheck() {
  std::lock_guard lock(mutex_);
  recheck_ = true;
}

// The timer is touched only on its own executor; the posted handler keeps the inbox alive.
void StreamHub::Inbox::Ring(const std::shared_ptr<Inbox>& inbox) {
  inbox->rung_ = true;
  boost::asio::post(inbox->timer_.get_executor(), [inbox] { inbox->timer_.cancel(); });
}

StreamHub::Subscription::~Subscription() { hub_->Leave(user_id_, inbox_.get()); }

StreamHub::StreamHub(std::string pg_conninfo)
    : conninfo_(std::move(pg_conninfo)),
      loop_("progress-stream-hub", this, &StreamHub::Step, kReconnect) {
  platform::metrics::DefaultRegistry().AddCallbackGauge(
      "progress_streams_open", "live streams (GET /v1/stream) open in this process",
      [open = open_] { return static_cast<double>(open->load()); });
}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Start() { loop_.Start(); }

void StreamHub::Stop() {
  loop_.Stop();
  conn_.reset();
  listening_ = false;
}

std::unique_ptr<StreamHub::Subscription> StreamHub::Subscribe(const std::string& user_id,
                                                              const std::string& session_id,
                                                              boost::asio::any_io_executor executor,
                                                              std::int64_t after_seq) {
  auto inbox = std::make_shared<Inbox>(std::move(executor), session_id);
  bool behind = false;
  {
    std::lock_guard lock(mutex_);
    auto [it, added] = people_.try_emplace(user_id);
    if (added) {
      it->second.delivered_seq = after_seq;
      if (recently_notified_.contains(user_id)) pending_reads_.push_back(user_id);
    } else {
      behind = it->second.delivered_seq > after_seq;
    }
    it->second.inboxes.push_back(inbox);
    ++*open_;
  }
  return std::make_unique<Subscription>(this, user_id, std::move(inbox), behind);
}

void StreamHub::Leave(const std::string& user_id, const Inbox* inbox) {
  std::lock_guard lock(mutex_);
  auto it = people_.find(user_id);
  if (it == people_.end()) return;
  auto& inboxes = it->second.inboxes;
  auto erased = std::erase_if(inboxes, [inbox](const auto& held) { return held.get() == inbox; });
  *open_ -= erased;
  if (inboxes.empty()) people_.erase(it);
}

std::size_t StreamHub::Open() const { return open_->load(); }

void StreamHub::Recheck(std::string_view session_id) {
  std::vector<std::shared_ptr<Inbox>> asked;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [user, person] : people_) {
      for (const auto& inbox : person.inboxes) {
        if (session_id.empty() || inbox->session_id_ == session_id) asked.push_back(inbox);
      }
    }
  }
  for (const auto& inbox : asked) {
    inbox->AskRecheck();
    Inbox::Ring(inbox);
  }
}

void StreamHub::WakeAll() {
  std::vector<std::shared_ptr<Inbox>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [user, person] : people_) {
      all.insert(all.end(), person.inboxes.begin(), person.inboxes.end());
    }
  }
  for (const auto& inbox : all) Inbox::Ring(inbox);
}

void StreamHub::Deliver(const std::string& user_id) {
  if (!platform::IsUuid(user_id)) return;
  for (;;) {
    std::int64_t after = 0;
    {
      std::lock_guard lock(mutex_);
      auto it = people_.find(user_id);
      if (it == people_.end()) return;  // no stream of theirs here: nothing to read
      after = it->second.delivered_seq;
    }
    CountQuery();
    auto rows = conn_->Execute(queries::kActivitySince,
                               {user_id, std::to_string(after), std::to_string(kReadPage)});
    if (!rows) {
      platform::log::Warn("stream hub read failed", {{"error", rows.error().message}});
      return;  // the connection is checked by the loop; streams catch up on the next ring
    }
    auto items = ReadActivityItems(*rows);
    if (!items) {
      platform::log::Error("stream hub read a malformed row", {{"error", items.error().message}});
      return;
    }
    if (items->empty()) return;
    std::vector<SharedEvent> events;
    events.reserve(items->size());
    for (const auto& item : *items) {
      events.push_back(std::make_shared<const StreamEvent>(StreamEvent{item.seq, SseEvent(item)}));
    }
    std::vector<std::shared_ptr<Inbox>> inboxes;
    {
      std::lock_guard lock(mutex_);
      auto it = people_.find(user_id);
      if (it == people_.end()) return;
      it->second.delivered_seq = std::max(it->second.delivered_seq, events.back()->seq);
      inboxes = it->second.inboxes;
    }
    for (const auto& inbox : inboxes) {
      inbox->Deliver(events);
      Inbox::Ring(inbox);
    }
    if (static_cast<int>(items->size()) < kReadPage) return;
  }
}

void StreamHub::ReturnMemory() {
  {
    std::lock_guard lock(mutex_);
    std::size_t open = open_->load();
    open_mark_ = std::max(open_mark_, open);
    // Half of them gone, and enough of them to matter.
    if (open_mark_ - open < 256 || open > open_mark_ / 2) return;
    open_mark_ = open;
  }
  malloc_trim(0);
}

BackgroundLoop::Next StreamHub::Step() {
  ReturnMemory();
  std::unordered_set<std::string> notified;
  if (!conn_) {
    auto opened = platform::pg::Connection::Open(conninfo_);
    if (!opened || !(*opened)->ExecuteScript("LISTEN progress_activity")) {
      return BackgroundLoop::Next::Failed();
    }
    conn_ = std::move(*opened);
    listening_ = true;
    // Notifications sent while not listening are lost: every person with streams is read.
    std::lock_guard lock(mutex_);
    for (const auto& [user, person] : people_) notified.insert(user);
  }
  auto note = conn_->WaitNotification(kListenWait);
  while (note && *note) {
    notified.insert((*note)->second);
    note = conn_->WaitNotification(std::chrono::milliseconds(0));
  }
  {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    for (const auto& user : notified) recently_notified_[user] = now;
    for (auto& user : pending_reads_) notified.insert(std::move(user));
    pending_reads_.clear();
    if (now - pruned_at_ >= kRecentWindow) {
      std::erase_if(recently_notified_,
                    [now](const auto& entry) { return now - entry.second >= kRecentWindow; });
      pruned_at_ = now;
    }
  }
  for (const auto& user : notified) Deliver(user);
  if (!note || !conn_->Healthy()) {
    conn_.reset();  // listen again on a new connection
    listening_ = false;
  }
  return BackgroundLoop::Next::Now();
}

}  // namespace progress::infra
