#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "platform/background_loop.hpp"

namespace {

using namespace std::chrono_literals;
using platform::BackgroundLoop;

// Counts steps and lets a test wait for a count (no sleeps standing in for synchronisation).
class StepCounter {
 public:
  void Count() {
    std::lock_guard lock(mutex_);
    ++steps_;
    changed_.notify_all();
  }
  bool AwaitAtLeast(int n, std::chrono::milliseconds deadline = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, [&] { return steps_ >= n; });
  }
  int Steps() {
    std::lock_guard lock(mutex_);
    return steps_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int steps_ = 0;
};

TEST(BackgroundLoopTest, RunsStepsUntilStopped) {
  StepCounter counter;
  BackgroundLoop loop("test", [&] {
    counter.Count();
    return BackgroundLoop::Next::After(1ms);
  });
  loop.Start();
  ASSERT_TRUE(counter.AwaitAtLeast(3));
  loop.Stop();
  int after_stop = counter.Steps();
  loop.Stop();  // idempotent
  EXPECT_EQ(counter.Steps(), after_stop);
}

// The form every owner uses: a member function of the object holding the loop.
class CountingOwner {
 public:
  BackgroundLoop::Next Step() {
    counter.Count();
    return BackgroundLoop::Next::After(1ms);
  }
  StepCounter counter;
  BackgroundLoop loop{"owner", this, &CountingOwner::Step};
};

TEST(BackgroundLoopTest, RunsItsOwnersMemberStep) {
  CountingOwner owner;
  owner.loop.Start();
  ASSERT_TRUE(owner.counter.AwaitAtLeast(3));
  owner.loop.Stop();
  EXPECT_EQ(owner.loop.name(), "owner");
}

TEST(BackgroundLoopTest, WakeEndsALongPause) {
  StepCounter counter;
  BackgroundLoop loop("test", [&] {
    counter.Count();
    return BackgroundLoop::Next::After(1h);
  });
  loop.Start();
  ASSERT_TRUE(counter.AwaitAtLeast(1));
  loop.Wake();
  EXPECT_TRUE(counter.AwaitAtLeast(2));
}

TEST(BackgroundLoopTest, StopEndsALongPauseAndJoins) {
  StepCounter counter;
  auto loop = std::make_unique<BackgroundLoop>("test", [&] {
    counter.Count();
    return BackgroundLoop::Next::After(1h);
  });
  loop->Start();
  ASSERT_TRUE(counter.AwaitAtLeast(1));
  loop->Stop();  // would hang for an hour if the pause were not cut short
  EXPECT_EQ(counter.Steps(), 1);
}

TEST(BackgroundLoopTest, FailuresBackOffDoublingUpToTheCeilingAndResetOnSuccess) {
  std::atomic<int> failures_left{4};
  StepCounter counter;
  BackgroundLoop loop(
      "test",
      [&] {
        counter.Count();
        if (failures_left.fetch_sub(1) > 0) return BackgroundLoop::Next::Failed();
        return BackgroundLoop::Next::After(1h);
      },
      BackgroundLoop::Backoff{1ms, 4ms});
  EXPECT_EQ(loop.CurrentBackoff(), 1ms);
  loop.Start();
  ASSERT_TRUE(counter.AwaitAtLeast(5));  // four failures, then a success
  loop.Stop();
  EXPECT_EQ(loop.CurrentBackoff(), 1ms);  // reset by the success
}

TEST(BackgroundLoopTest, TheBackoffDoublesAndStopsAtTheCeiling) {
  StepCounter counter;
  BackgroundLoop loop(
      "test",
      [&] {
        counter.Count();
        return BackgroundLoop::Next::Failed();
      },
      BackgroundLoop::Backoff{1ms, 4ms});
  loop.Start();
  ASSERT_TRUE(counter.AwaitAtLeast(4));  // 1, 2, 4, 4 ms
  loop.Stop();
  EXPECT_EQ(loop.CurrentBackoff(), 4ms);
}

TEST(BackgroundLoopTest, StoppingIsVisibleToALongStep) {
  StepCounter counter;
  BackgroundLoop* self = nullptr;
  BackgroundLoop loop("test", [&] {
    counter.Count();
    while (self->Pause(1h)) {
    }
    return BackgroundLoop::Next::Now();
  });
  self = &loop;
  loop.Start();
  ASSERT_TRUE(counter.AwaitAtLeast(1));
  loop.Stop();
  EXPECT_TRUE(loop.Stopping());
  EXPECT_EQ(counter.Steps(), 1);
}

}  // namespace
