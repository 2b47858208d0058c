#pragma once
// ActivityBell: wakes the live streams (GET /v1/stream) of a person when their activity grows,
// whichever replica applied the event: a background loop LISTENs on `progress_activity`
// (payload: the owner's id), which the event applier notifies on commit.

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "platform/background_loop.hpp"

namespace platform::pg {
class Connection;
}

namespace progress::infra {

class ActivityBell {
 public:
  // Doorbell: one open stream's; Wait returns when rung, or after `at_most`.
  class Doorbell {
   public:
    explicit Doorbell(boost::asio::any_io_executor executor) : timer_(executor) {}
    // Resumes when the bell rang since the last Wait, or after at_most. Call from the
    // executor given at Subscribe.
    boost::asio::awaitable<void> Wait(std::chrono::milliseconds at_most);

   private:
    friend class ActivityBell;
    std::atomic<bool> rung_{false};
    boost::asio::steady_timer timer_;
  };

  explicit ActivityBell(std::string pg_conninfo);
  ~ActivityBell();
  ActivityBell(const ActivityBell&) = delete;
  ActivityBell& operator=(const ActivityBell&) = delete;

  void Start();
  void Stop();
  std::shared_ptr<Doorbell> Subscribe(const std::string& user_id,
                                      boost::asio::any_io_executor executor);
  // Rings every doorbell of the person (also what a notification does).
  void Ring(const std::string& user_id);

 private:
  void RingAll();
  static void Wake(const std::shared_ptr<Doorbell>& bell);
  // Listens (again) when not listening, then rings for what arrives within a short wait.
  platform::BackgroundLoop::Next Step();
  std::string conninfo_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::weak_ptr<Doorbell>>> doorbells_;
  // The listening connection: the loop's thread's only; dropped at Stop.
  std::unique_ptr<platform::pg::Connection> conn_;
  platform::BackgroundLoop loop_;
};

}  // namespace progress::infra
