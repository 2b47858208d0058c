// The throttles' counting in memory, and that they hold while Redis is down (no fail-open).

#include <gtest/gtest.h>

#include "infra/redis/redis_login_throttle.hpp"
#include "infra/redis/window_counters.hpp"
#include "platform/testing/run_sync.hpp"

namespace identity::infra {
namespace {

using platform::ErrorKind;
using platform::testing::RunSync;
using Clock = WindowCounters::Clock;

TEST(WindowCounters, CountsWithinTheWindowAndStartsAgainAfterIt) {
  WindowCounters counters;
  Clock::time_point t0{std::chrono::seconds(100)};
  EXPECT_EQ(counters.Add("k", std::chrono::seconds(60), t0).events, 1);
  auto second = counters.Add("k", std::chrono::seconds(60), t0 + std::chrono::seconds(59));
  EXPECT_EQ(second.events, 2);
  EXPECT_EQ(second.seconds_left, 1);
  EXPECT_EQ(counters.Get("k", t0 + std::chrono::seconds(60)).events, 0);
  EXPECT_EQ(counters.Add("k", std::chrono::seconds(60), t0 + std::chrono::seconds(61)).events, 1);
}

TEST(WindowCounters, StaysWithinItsBoundDroppingTheWindowThatEndsFirst) {
  WindowCounters counters(100);
  Clock::time_point t0{std::chrono::seconds(100)};
  counters.Add("oldest", std::chrono::seconds(60), t0);
  for (int i = 0; i < 1000; ++i) {
    counters.Add("k" + std::to_string(i), std::chrono::seconds(60), t0 + std::chrono::seconds(1));
  }
  EXPECT_LE(counters.Size(), 100u);
  EXPECT_EQ(counters.Get("oldest", t0 + std::chrono::seconds(2)).events, 0);
}

// A Redis nobody listens on: every call fails at once.
class ThrottleWithoutRedis : public ::testing::Test {
 protected:
  ThrottleWithoutRedis()
      : redis_("127.0.0.1", 1), throttle_(redis_, Limits(), [this] { return now_; }) {}
  static LoginLimits Limits() {
    LoginLimits l;
    l.per_email = 3;
    l.per_client = 5;
    l.registrations_per_client = 2;
    return l;
  }
  platform::redis::Client redis_;
  Clock::time_point now_{std::chrono::seconds(1000)};
  RedisLoginThrottle throttle_;
};

TEST_F(ThrottleWithoutRedis, FailedChecksStillLimitTheAccount) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(RunSync(throttle_.Check("a@example.com", "1.2.3.4")).has_value()) << i;
    (void)RunSync(throttle_.RecordFailure("a@example.com", "1.2.3.4"));
  }
  auto refused = RunSync(throttle_.Check("a@example.com", "5.6.7.8"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::kRateLimited);
  EXPECT_GE(refused.error().retry_after_seconds, 1);
  EXPECT_LE(refused.error().retry_after_seconds, 15 * 60);
  EXPECT_TRUE(RunSync(throttle_.Check("b@example.com", "5.6.7.8")).has_value());
  now_ += std::chrono::minutes(15);
  EXPECT_TRUE(RunSync(throttle_.Check("a@example.com", "5.6.7.8")).has_value());
}

TEST_F(ThrottleWithoutRedis, FailedChecksStillLimitTheAddress) {
  for (int i = 0; i < 5; ++i) {
    (void)RunSync(throttle_.RecordFailure("user" + std::to_string(i) + "@example.com", "1.2.3.4"));
  }
  auto refused = RunSync(throttle_.Check("new@example.com", "1.2.3.4"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::kRateLimited);
}

TEST_F(ThrottleWithoutRedis, RegistrationsStillLimitedPerAddress) {
  EXPECT_TRUE(RunSync(throttle_.AdmitRegistration("1.2.3.4")).has_value());
  EXPECT_TRUE(RunSync(throttle_.AdmitRegistration("1.2.3.4")).has_value());
  auto refused = RunSync(throttle_.AdmitRegistration("1.2.3.4"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::kRateLimited);
  EXPECT_GE(refused.error().retry_after_seconds, 3500);
  EXPECT_TRUE(RunSync(throttle_.AdmitRegistration("5.6.7.8")).has_value());
  now_ += std::chrono::hours(1);
  EXPECT_TRUE(RunSync(throttle_.AdmitRegistration("1.2.3.4")).has_value());
}

}  // namespace
}  // namespace identity::infra
