#include "platform/background_loop.hpp"

#include <algorithm>
#include <utility>

namespace platform {

BackgroundLoop::BackgroundLoop(std::string name, Step step)
    : BackgroundLoop(std::move(name), std::move(step), Backoff{}) {}

BackgroundLoop::BackgroundLoop(std::string name, Step step, Backoff backoff)
    : name_(std::move(name)),
      step_(std::move(step)),
      backoff_(backoff),
      current_backoff_(backoff.first) {}

BackgroundLoop::~BackgroundLoop() { Stop(); }

void BackgroundLoop::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    woken_ = false;
    current_backoff_ = backoff_.first;
  }
  thread_ = std::thread([this] { Run(); });
}

void BackgroundLoop::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void BackgroundLoop::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

bool BackgroundLoop::Stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool BackgroundLoop::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [this] { return stopping_ || woken_; });
  woken_ = false;
  return !stopping_;
}

std::chrono::milliseconds BackgroundLoop::CurrentBackoff() const {
  std::lock_guard lock(mutex_);
  return current_backoff_;
}

void BackgroundLoop::Run() {
  while (!Stopping()) {
    Next next = step_();
    std::chrono::milliseconds pause = next.pause();
    {
      std::lock_guard lock(mutex_);
      if (next.failed()) {
        pause = current_backoff_;
        current_backoff_ = std::min(current_backoff_ * 2, backoff_.max);
      } else {
        current_backoff_ = backoff_.first;
      }
    }
    if (pause.count() > 0 && !Pause(pause)) return;
  }
}

}  // namespace platform
