// The revocation feed against the local nats-server: a bounded replay at start, then live
// events; and the RevocationList's Redis fast path against a private redis-server.

#include <utility>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "platform/auth/revocation.hpp"
#include "platform/auth/revocation_feed.hpp"
#include "platform/auth/revocation_set.hpp"
#include "platform/auth/session_revoked.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/redis/client.hpp"
#include "platform/testing/redis_server.hpp"
#include "platform/testing/run_sync.hpp"
#include "platform/testing/test_env.hpp"
#include "platform/uuid.hpp"

namespace platform::auth {
namespace {

using namespace std::chrono_literals;

TimePoint NowMs() { return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now()); }

// Each test owns a stream with a random name and subject, deleted afterwards.
class RevocationFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suffix_ = testenv::UniqueSuffix();
    auto js = bus::JetStream::Connect(testenv::TestNatsUrl(), "revocation-feed-test");
    ASSERT_TRUE(js) << js.error().detail;
    js_ = std::move(*js);
    options_.stream = "TEST_" + suffix_;
    options_.subject = "test" + suffix_ + ".session.revoked";
    options_.window = 60s;
    auto ensured = js_->EnsureStream({options_.stream, {"test" + suffix_ + ".>"}, 120s});
    ASSERT_TRUE(ensured) << ensured.error().detail;
  }

  void TearDown() override {
    if (js_) {
      EXPECT_TRUE(js_->DeleteStream(options_.stream));
    }
  }

  // Publishes the event of a session revoked now whose tokens live `ttl`; returns the session id.
  std::string PublishRevocation(std::chrono::seconds ttl = 900s) {
    auto revocation = RevocationOf(NewUuidV7(), NewUuidV7(), NowMs() - 900s + ttl, 900s);
    bus::EventDraft draft{std::string(kSessionRevokedType), "/identity", revocation.session_id, 1,
                          SessionRevokedData(revocation),   ""};
    std::string id = NewUuidV7();
    auto ack = js_->Publish(options_.subject,
                            bus::EventEnvelope(draft, id, "2026-01-01T00:00:00.000Z"), id);
    EXPECT_TRUE(ack) << ack.error().detail;
    return revocation.session_id;
  }

  // The first whole second after now.
  static Clock::time_point NextWholeSecond() {
    return std::chrono::floor<std::chrono::seconds>(Clock::now()) + 1s;
  }

  // Whether the clock gets past `t` (at most about a second ahead).
  static bool PassedBy(Clock::time_point t) {
    return testenv::Eventually([t] { return Clock::now() > t; }, 2s, 1ms);
  }

  bool CaughtUp(const RevocationSet& set) {
    return testenv::Eventually([&] { return set.CaughtUp(); }, 10s);
  }

  std::string suffix_;
  std::unique_ptr<bus::JetStream> js_;
  RevocationFeedOptions options_;
};

TEST_F(RevocationFeedTest, AnEmptyWindowIsCaughtUpAtOnceAndTheFeedIsLive) {
  RevocationSet set;
  RevocationFeed feed(*js_, set, options_);
  feed.Start();
  ASSERT_TRUE(CaughtUp(set));
  EXPECT_TRUE(testenv::Eventually([&] { return set.Live(); }, 5s));
  EXPECT_TRUE(set.Authoritative(NowMs()));
  EXPECT_EQ(set.Size(), 0u);
}

TEST_F(RevocationFeedTest, ReplaysRevocationsPublishedBeforeItStartedBeforeCatchingUp) {
  std::vector<std::string> sessions;
  sessions.reserve(20);
  for (int i = 0; i < 20; ++i) sessions.push_back(PublishRevocation());
  RevocationSet set;
  RevocationFeed feed(*js_, set, options_);
  feed.Start();
  ASSERT_TRUE(CaughtUp(set));
  // Caught up means every one of them is already in the set, not merely on its way.
  for (const auto& sid : sessions) EXPECT_TRUE(set.Contains(sid, NowMs())) << sid;
  EXPECT_EQ(feed.Received(), sessions.size());
}

TEST_F(RevocationFeedTest, FollowsNewRevocationsLiveAfterTheReplay) {
  RevocationSet set;
  RevocationFeed feed(*js_, set, options_);
  feed.Start();
  ASSERT_TRUE(CaughtUp(set));
  auto sid = PublishRevocation();
  EXPECT_TRUE(testenv::Eventually([&] { return set.Contains(sid, NowMs()); }, 1s));
}

TEST_F(RevocationFeedTest, TheReplayDoesNotReadEventsOlderThanItsWindow) {
  auto old_sid = PublishRevocation();
  // The window starts at the next whole second (the feed rounds its start down to one), after
  // the old event was stored (same host clock as the server).
  auto window_start = NextWholeSecond();
  ASSERT_TRUE(PassedBy(window_start + 2ms));
  auto new_sid = PublishRevocation();
  RevocationFeedOptions options = options_;
  options.window = 10s;
  options.now = [window_start] { return window_start + 10s; };
  RevocationSet set;
  RevocationFeed feed(*js_, set, options);
  feed.Start();
  ASSERT_TRUE(CaughtUp(set));
  EXPECT_TRUE(set.Contains(new_sid, NowMs()));
  EXPECT_FALSE(set.Contains(old_sid, NowMs()));
  EXPECT_EQ(feed.Received(), 1u);
}

TEST_F(RevocationFeedTest, AStartInTheFirstTenthOfASecondStillReplaysTheEventsAfterIt) {
  // nats.c would send a start of S + 0.099 s as S + 0.99 s; the event stored in between is the
  // one the feed waits for before it is caught up.
  auto second = NextWholeSecond();
  ASSERT_TRUE(PassedBy(second + 110ms));
  auto sid = PublishRevocation();
  RevocationFeedOptions options = options_;
  options.window = 10s;
  options.now = [second] { return second + 99ms + 10s; };
  RevocationSet set;
  RevocationFeed feed(*js_, set, options);
  feed.Start();
  ASSERT_TRUE(CaughtUp(set));
  EXPECT_TRUE(set.Contains(sid, NowMs()));
  EXPECT_EQ(feed.Received(), 1u);
}

TEST_F(RevocationFeedTest, EventsWhoseTokensHaveAllExpiredAreNotKept) {
  // Revoked so long ago (in event time) that its `until` is behind us.
  auto expired = PublishRevocation(-120s);
  auto live = PublishRevocation();
  RevocationSet set;
  RevocationFeed feed(*js_, set, options_);
  feed.Start();
  ASSERT_TRUE(CaughtUp(set));
  EXPECT_EQ(feed.Received(), 2u);
  EXPECT_FALSE(set.Contains(expired, NowMs()));
  EXPECT_TRUE(set.Contains(live, NowMs()));
  EXPECT_EQ(set.Size(), 1u);
}

TEST(RevocationListRedisTest, ARevocationKnownOnlyToRedisIsRefusedAndKeptInTheSet) {
  platform::testing::RedisServer server;
  ASSERT_EQ(server.Start(), std::nullopt);
  redis::Client redis("127.0.0.1", server.port());
  RevocationSet here, elsewhere;
  here.MarkCaughtUp();
  elsewhere.MarkCaughtUp();
  RevocationList list(here, redis);
  std::string sid = NewUuidV7(), other = NewUuidV7();
  // Another instance revokes: this one hears of it through Redis before the event arrives.
  std::vector<SessionRevocation> revoked{RevocationOf(sid, "u", NowMs(), 900s)};
  platform::testing::RunSync(RevocationList(elsewhere, redis).RevokeSessions(std::move(revoked)));
  AccessClaims claims;
  claims.sid = sid;
  claims.exp = UnixSeconds(Clock::now()) + 900;
  auto revoked_answer = platform::testing::RunSync(list.IsRevoked(claims));
  ASSERT_TRUE(revoked_answer.has_value()) << revoked_answer.error().detail;
  EXPECT_TRUE(*revoked_answer);
  EXPECT_TRUE(here.Contains(sid, NowMs()));
  claims.sid = other;
  auto other_answer = platform::testing::RunSync(list.IsRevoked(claims));
  ASSERT_TRUE(other_answer.has_value());
  EXPECT_FALSE(*other_answer);
  // With Redis gone, the set (not live) cannot vouch for `other`: refused, never accepted.
  server.Stop();
  auto later = RevocationList(here, redis);
  auto unknown = platform::testing::RunSync(later.IsRevoked(claims));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kUnavailable);
  claims.sid = sid;
  auto still = platform::testing::RunSync(later.IsRevoked(claims));
  ASSERT_TRUE(still.has_value());
  EXPECT_TRUE(*still);
}

}  // namespace
}  // namespace platform::auth
