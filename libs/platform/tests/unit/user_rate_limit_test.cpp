#include "platform/http/user_rate_limit.hpp"

#include <gtest/gtest.h>

#include "platform/testing/run_sync.hpp"

namespace {

using platform::http::Request;
using platform::http::Response;
using platform::http::UserRateLimit;
using platform::http::UserRateLimitOptions;
using Clock = std::chrono::steady_clock;

// FakeClock: time moves only when the test says so.
struct FakeClock {
  Clock::time_point now{std::chrono::seconds(1000)};
  UserRateLimit::Clock Fn() {
    return [this] { return now; };
  }
  void Advance(std::chrono::milliseconds by) { now += by; }
};

UserRateLimitOptions Options(double per_second, double burst, std::size_t max_users = 100000) {
  UserRateLimitOptions o;
  o.per_second = per_second;
  o.burst = burst;
  o.max_users = max_users;
  return o;
}

TEST(UserRateLimit, AllowsTheBurstThenRefusesWithWholeSecondsToWait) {
  FakeClock clock;
  UserRateLimit limit(Options(2, 5), clock.Fn());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limit.Take("alice"), 0) << i;
  EXPECT_EQ(limit.Take("alice"), 1);  // one token comes back in 0.5 s: Retry-After 1
}

TEST(UserRateLimit, RetryAfterRoundsUpAndIsAtLeastOne) {
  FakeClock clock;
  UserRateLimit limit(Options(0.25, 1), clock.Fn());  // one token every 4 s
  EXPECT_EQ(limit.Take("alice"), 0);
  EXPECT_EQ(limit.Take("alice"), 4);
  clock.Advance(std::chrono::milliseconds(3500));
  EXPECT_EQ(limit.Take("alice"), 1);
}

TEST(UserRateLimit, RefillsAtTheConfiguredRate) {
  FakeClock clock;
  UserRateLimit limit(Options(10, 10), clock.Fn());
  for (int i = 0; i < 10; ++i) ASSERT_EQ(limit.Take("alice"), 0);
  EXPECT_GT(limit.Take("alice"), 0);
  clock.Advance(std::chrono::milliseconds(300));  // 3 tokens
  EXPECT_EQ(limit.Take("alice"), 0);
  EXPECT_EQ(limit.Take("alice"), 0);
  EXPECT_EQ(limit.Take("alice"), 0);
  EXPECT_GT(limit.Take("alice"), 0);
}

TEST(UserRateLimit, UsersHaveBucketsOfTheirOwn) {
  FakeClock clock;
  UserRateLimit limit(Options(1, 2), clock.Fn());
  EXPECT_EQ(limit.Take("alice"), 0);
  EXPECT_EQ(limit.Take("alice"), 0);
  EXPECT_GT(limit.Take("alice"), 0);
  EXPECT_EQ(limit.Take("bob"), 0);
}

TEST(UserRateLimit, ZeroRateTurnsItOff) {
  FakeClock clock;
  UserRateLimit limit(Options(0, 1), clock.Fn());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limit.Take("alice"), 0);
  EXPECT_EQ(limit.Tracked(), 0u);
}

TEST(UserRateLimit, IdleBucketsThatAreFullAgainAreForgotten) {
  FakeClock clock;
  UserRateLimit limit(Options(10, 10, 1600), clock.Fn());
  for (int i = 0; i < 1000; ++i) limit.Take("user-" + std::to_string(i));
  EXPECT_EQ(limit.Tracked(), 1000u);
  clock.Advance(std::chrono::seconds(1));  // each bucket had one token taken: full after 0.1 s
  for (int i = 0; i < 1000; ++i) limit.Take("later-" + std::to_string(i));
  EXPECT_LT(limit.Tracked(), 1100u);
}

TEST(UserRateLimit, TrackedBucketsNeverExceedTheCap) {
  FakeClock clock;
  UserRateLimit limit(Options(1, 100, 160), clock.Fn());
  for (int i = 0; i < 10000; ++i) limit.Take("user-" + std::to_string(i));
  EXPECT_LE(limit.Tracked(), 160u);
}

TEST(UserRateLimit, AtTheCapALimitedActiveUserStaysLimitedAndNewUsersGetIn) {
  FakeClock clock;
  UserRateLimit limit(Options(1, 3, 160), clock.Fn());  // ten buckets per shard
  for (int i = 0; i < 3; ++i) ASSERT_EQ(limit.Take("attacker"), 0);
  ASSERT_GT(limit.Take("attacker"), 0);
  // A crowd of new users arrives while the attacker keeps trying: every new user is admitted,
  // and the attacker, being the most recent in its shard whenever it asks, stays refused.
  int attacker_admitted = 0;
  for (int i = 0; i < 2000; ++i) {
    EXPECT_EQ(limit.Take("user-" + std::to_string(i)), 0) << i;
    if (i % 10 == 0 && limit.Take("attacker") == 0) ++attacker_admitted;
  }
  EXPECT_EQ(attacker_admitted, 0);
  EXPECT_LE(limit.Tracked(), 160u);
}

TEST(UserRateLimit, LimitAnswers429ProblemWithRetryAfterAndSkipsTheHandler) {
  FakeClock clock;
  UserRateLimit limit(Options(1, 1), clock.Fn());
  int calls = 0;
  auto handler = limit.Limit([&calls](Request&) -> boost::asio::awaitable<Response> {
    ++calls;
    co_return Response::Json(200, "{}");
  });
  Request request;
  request.subject = "alice";
  EXPECT_EQ(platform::testing::RunSync(handler(request)).status, 200);
  auto refused = platform::testing::RunSync(handler(request));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.Header("Retry-After"), "1");
  EXPECT_NE(refused.body.find("/problems/rate-limited"), std::string::npos) << refused.body;
  EXPECT_EQ(calls, 1);
}

}  // namespace
