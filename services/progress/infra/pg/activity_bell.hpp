#pragma once
// ActivityBell: wakes the live streams (GET /v1/stream) of a person when their activity grows,
// whichever replica applied the event: a thread LISTENs on `progress_activity` (payload: the
// owner's id), which the event applier notifies on commit.

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
#include <thread>
#include <vector>

namespace progress::infra {

class ActivityBell {
 public:
  // Doorbell: one open stream's; Wait returns when rung, or after `at_most`.
  class Doorbell {
   public:
    explicit Doorbell(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}
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
  void Loop();
  std::string conninfo_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::weak_ptr<Doorbell>>> doorbells_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace progress::infra
