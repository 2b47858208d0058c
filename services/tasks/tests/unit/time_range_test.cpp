// Expiry arithmetic at the ends of the time range: nothing wraps, whatever the clock or TTL.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "domain/task.hpp"
#include "platform/time.hpp"
#include "task_test_support.hpp"

namespace tasks::domain {
namespace {

using namespace test_support;  // NOLINT(build/namespaces): shared fixtures
using std::chrono::seconds;

CreateContext At(Time now) {
  CreateContext context = Context();
  context.now = now;
  return context;
}

TEST(TimeRangeTest, TtlThatWouldReachPastTheYear9999IsRefused) {
  TaskDraft draft = Draft();
  draft.ttl_seconds = 3600;
  ExpectInvalid(CreateTask(draft, At(platform::kMaxTime - seconds(60))), {"ttl_seconds"});
  auto near_end = CreateTask(draft, At(platform::kMaxTime - seconds(3600)));
  ASSERT_TRUE(near_end.has_value());
  EXPECT_EQ(near_end->expires_at, platform::kMaxTime);
}

TEST(TimeRangeTest, ExpiryExtensionThatWouldReachPastTheYear9999IsRefused) {
  Task task = ExpiredTask();
  TaskPatch patch;
  patch.ttl_seconds = {true, kMaxTtlSeconds};
  ExpectInvalid(ApplyPatch(task, patch, platform::kMaxTime - seconds(1)), {"ttl_seconds"});
}

TEST(TimeRangeTest, OwnersDefaultTtlIsBoundedAndClampedAtTheEnd) {
  // The default arrives by event: a huge one must neither overflow nor wrap into the past.
  CreateContext context = At(platform::kMaxTime - seconds(10));
  context.default_ttl_seconds = INT64_MAX;
  auto task = CreateTask(Draft(), context);
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->expires_at, platform::kMaxTime);
  CreateContext today = Context();
  today.default_ttl_seconds = INT64_MAX;
  EXPECT_EQ(CreateTask(Draft(), today)->expires_at, kNow + seconds(kMaxTtlSeconds));
}

}  // namespace
}  // namespace tasks::domain
