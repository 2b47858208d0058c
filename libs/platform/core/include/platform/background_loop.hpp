#pragma once
// BackgroundLoop: the one way a service runs work beside its requests (the outbox relay, the
// expiry scheduler, event consumers, sweepers, listeners). It owns a thread that calls a step
// over and over until stopped. The step says what comes next: run again at once, after a
// pause, or "that failed" (the loop then waits a back-off that doubles up to a ceiling and
// resets after the next success). Wake() cuts the current pause short; Stop() cuts it short
// and joins. A step that blocks on something of its own (a socket, a fetch) should bound the
// wait and look at Stopping() between waits.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace platform {

class BackgroundLoop {
 public:
  // What a step asks for: the pause before the next step, or a failure (back-off).
  class Next {
   public:
    static Next Now() { return Next(std::chrono::milliseconds(0), false); }
    static Next After(std::chrono::milliseconds pause) { return Next(pause, false); }
    static Next Failed() { return Next(std::chrono::milliseconds(0), true); }
    std::chrono::milliseconds pause() const { return pause_; }
    bool failed() const { return failed_; }

   private:
    Next(std::chrono::milliseconds pause, bool failed) : pause_(pause), failed_(failed) {}
    std::chrono::milliseconds pause_;
    bool failed_;
  };

  // The back-off after failed steps: first, then doubled each time, never above max.
  struct Backoff {
    std::chrono::milliseconds first{100};
    std::chrono::milliseconds max{5000};
  };

  using Step = std::function<Next()>;

  BackgroundLoop(std::string name, Step step);
  BackgroundLoop(std::string name, Step step, Backoff backoff);
  // The usual owner: a member function of the object that holds the loop (`this`, &T::Step).
  template <typename Owner>
  BackgroundLoop(std::string name, Owner* owner, Next (Owner::*step)())
      : BackgroundLoop(std::move(name), std::bind_front(step, owner)) {}
  template <typename Owner>
  BackgroundLoop(std::string name, Owner* owner, Next (Owner::*step)(), Backoff backoff)
      : BackgroundLoop(std::move(name), std::bind_front(step, owner), backoff) {}
  ~BackgroundLoop();
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;

  // Starts the thread; a second Start while running does nothing.
  void Start();
  // Stops after the current step and joins; idempotent; Start may follow.
  void Stop();
  // Ends the current pause early (the next step runs at once); harmless when not pausing.
  void Wake();
  // True once Stop was called: a long step should return soon.
  bool Stopping() const;
  // Sleeps up to `d`, less if woken or stopped; false when stopping. For steps that wait.
  bool Pause(std::chrono::milliseconds d);
  // The current back-off (what the next failure will wait); for tests.
  std::chrono::milliseconds CurrentBackoff() const;
  const std::string& name() const { return name_; }

 private:
  void Run();

  std::string name_;
  Step step_;
  Backoff backoff_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::chrono::milliseconds current_backoff_;
  std::thread thread_;
};

}  // namespace platform
