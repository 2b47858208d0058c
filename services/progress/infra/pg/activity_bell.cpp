#include "infra/pg/activity_bell.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "platform/pg/connection.hpp"

namespace progress::infra {

boost::asio::awaitable<void> ActivityBell::Doorbell::Wait(std::chrono::milliseconds at_most) {
  if (rung_.exchange(false)) co_return;
  timer_.expires_after(at_most);
  boost::system::error_code ec;
  co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  rung_ = false;
}

namespace {

using platform::BackgroundLoop;

// Reconnecting waits a little (the database is restarting), cut short by Stop().
constexpr BackgroundLoop::Backoff kReconnect{std::chrono::milliseconds(500),
                                             std::chrono::milliseconds(500)};
// How long one step waits for a notification: also how soon Stop() is seen.
constexpr std::chrono::milliseconds kListenWait{100};

}  // namespace

ActivityBell::ActivityBell(std::string pg_conninfo)
    : conninfo_(std::move(pg_conninfo)),
      loop_("progress-activity-bell", [this] { return Step(); }, kReconnect) {}

ActivityBell::~ActivityBell() { Stop(); }

void ActivityBell::Start() { loop_.Start(); }

void ActivityBell::Stop() {
  loop_.Stop();
  conn_.reset();
}

std::shared_ptr<ActivityBell::Doorbell> ActivityBell::Subscribe(
    const std::string& user_id, boost::asio::any_io_executor executor) {
  auto bell = std::make_shared<Doorbell>(std::move(executor));
  std::lock_guard lock(mutex_);
  auto& list = doorbells_[user_id];
  std::erase_if(list, [](const auto& weak) { return weak.expired(); });
  list.push_back(bell);
  return bell;
}

void ActivityBell::Ring(const std::string& user_id) {
  std::vector<std::shared_ptr<Doorbell>> ringing;
  {
    std::lock_guard lock(mutex_);
    auto it = doorbells_.find(user_id);
    if (it == doorbells_.end()) return;
    for (const auto& weak : it->second) {
      if (auto bell = weak.lock()) ringing.push_back(std::move(bell));
    }
    std::erase_if(it->second, [](const auto& weak) { return weak.expired(); });
    if (it->second.empty()) doorbells_.erase(it);
  }
  for (const auto& bell : ringing) Wake(bell);
}

void ActivityBell::RingAll() {
  std::vector<std::shared_ptr<Doorbell>> ringing;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [user, list] : doorbells_) {
      for (const auto& weak : list) {
        if (auto bell = weak.lock()) ringing.push_back(std::move(bell));
      }
    }
  }
  for (const auto& bell : ringing) Wake(bell);
}

BackgroundLoop::Next ActivityBell::Step() {
  if (!conn_) {
    auto opened = platform::pg::Connection::Open(conninfo_);
    if (!opened || !(*opened)->ExecuteScript("LISTEN progress_activity")) {
      return BackgroundLoop::Next::Failed();
    }
    conn_ = std::move(*opened);
    // Notifications sent while not listening are lost: every stream looks again.
    RingAll();
  }
  auto note = conn_->WaitNotification(kListenWait);
  while (note && *note) {
    Ring((*note)->second);
    note = conn_->WaitNotification(std::chrono::milliseconds(0));
  }
  if (!note || !conn_->Healthy()) conn_.reset();  // listen again on a new connection
  return BackgroundLoop::Next::Now();
}

// The timer is touched only on its own executor.
void ActivityBell::Wake(const std::shared_ptr<Doorbell>& bell) {
  bell->rung_ = true;
  boost::asio::post(bell->timer_.get_executor(), [bell] { bell->timer_.cancel(); });
}

}  // namespace progress::infra
