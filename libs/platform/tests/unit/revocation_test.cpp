// The revocation set, the todo.session.revoked schema, and the AuthGuard's decision when the set
// or Redis cannot answer: never "accept because nobody could be asked".

#include <utility>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "platform/auth/auth_guard.hpp"
#include "platform/auth/jwt.hpp"
#include "platform/auth/revocation.hpp"
#include "platform/auth/revocation_set.hpp"
#include "platform/auth/session_revoked.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/redis/client.hpp"
#include "platform/testing/redis_server.hpp"  // FreePort
#include "platform/testing/run_sync.hpp"
#include "platform/uuid.hpp"

namespace platform::auth {
namespace {

using namespace std::chrono_literals;
using platform::testing::RunSync;

constexpr std::string_view kSid = "0193a3b2-1111-7000-8000-000000000001";
constexpr std::string_view kOther = "0193a3b2-1111-7000-8000-000000000002";
const TimePoint kT0{std::chrono::milliseconds(1'760'000'000'000)};

TEST(RevocationSetTest, HoldsASessionUntilItsUntilAndThenDropsIt) {
  RevocationSet set;
  ASSERT_TRUE(set.Add(kSid, kT0 + 10s, kT0));
  EXPECT_TRUE(set.Contains(kSid, kT0 + 9s));
  EXPECT_FALSE(set.Contains(kOther, kT0));
  EXPECT_FALSE(set.Contains(kSid, kT0 + 10s));
  EXPECT_EQ(set.DropExpired(kT0 + 9s), 0u);
  EXPECT_EQ(set.DropExpired(kT0 + 10s), 1u);
  EXPECT_EQ(set.Size(), 0u);
}

TEST(RevocationSetTest, SessionIdsCompareAsUuidsWhateverTheirCase) {
  RevocationSet set;
  set.Add("0193A3B2-1111-7000-8000-00000000000A", kT0 + 10s, kT0);
  EXPECT_TRUE(set.Contains("0193a3b2-1111-7000-8000-00000000000a", kT0));
}

TEST(RevocationSetTest, AnEntryAlreadyPastItsUntilIsNotKept) {
  RevocationSet set;
  EXPECT_TRUE(set.Add(kSid, kT0 - 1s, kT0));
  EXPECT_EQ(set.Size(), 0u);
  EXPECT_FALSE(set.Contains(kSid, kT0 - 2s));
}

TEST(RevocationSetTest, ALaterUntilExtendsAnEntryAndAnEarlierOneDoesNotShortenIt) {
  RevocationSet set;
  set.Add(kSid, kT0 + 10s, kT0);
  set.Add(kSid, kT0 + 5s, kT0);
  EXPECT_TRUE(set.Contains(kSid, kT0 + 9s));
  set.Add(kSid, kT0 + 20s, kT0);
  EXPECT_TRUE(set.Contains(kSid, kT0 + 19s));
  EXPECT_EQ(set.Size(), 1u);
}

TEST(RevocationSetTest, SessionIdsThatAreNotUuidsAreRefused) {
  RevocationSet set;
  EXPECT_FALSE(set.Add("family-7", kT0 + 10s, kT0));
  EXPECT_FALSE(set.Contains("family-7", kT0));
}

TEST(RevocationSetTest, IsNotAuthoritativeBeforeTheReplayHasCaughtUp) {
  RevocationSet set;
  EXPECT_FALSE(set.Authoritative(kT0));
  set.MarkCaughtUp();
  EXPECT_TRUE(set.Authoritative(kT0));
}

TEST(RevocationSetTest, AFullSetStaysBoundedAndStopsBeingAuthoritativeUntilTheDroppedOneExpires) {
  RevocationSet set(2);
  set.MarkCaughtUp();
  set.Add("0193a3b2-1111-7000-8000-00000000000a", kT0 + 100s, kT0);
  set.Add("0193a3b2-1111-7000-8000-00000000000b", kT0 + 100s, kT0);
  EXPECT_TRUE(set.Authoritative(kT0));
  // No room: the revocation is not silently lost, the set says it cannot be trusted.
  set.Add("0193a3b2-1111-7000-8000-00000000000c", kT0 + 50s, kT0);
  EXPECT_EQ(set.Size(), 2u);
  EXPECT_FALSE(set.Authoritative(kT0 + 49s));
  EXPECT_TRUE(set.Authoritative(kT0 + 50s));
}

TEST(RevocationSetTest, AFullSetMakesRoomByDroppingExpiredEntriesFirst) {
  RevocationSet set(2);
  set.MarkCaughtUp();
  set.Add("0193a3b2-1111-7000-8000-00000000000a", kT0 + 10s, kT0);
  set.Add("0193a3b2-1111-7000-8000-00000000000b", kT0 + 100s, kT0);
  set.Add("0193a3b2-1111-7000-8000-00000000000c", kT0 + 100s, kT0 + 20s);
  EXPECT_TRUE(set.Contains("0193a3b2-1111-7000-8000-00000000000c", kT0 + 20s));
  EXPECT_TRUE(set.Authoritative(kT0 + 20s));
}

TEST(SessionRevokedTest, TheEventRoundTripsThroughItsEnvelope) {
  auto revocation = RevocationOf(std::string(kSid), "0193a3b2-2222-7000-8000-000000000001", kT0,
                                 std::chrono::seconds(900));
  EXPECT_EQ(revocation.until, kT0 + 900s + kRevocationMargin);
  bus::EventDraft draft{std::string(kSessionRevokedType), "/identity", std::string(kSid), 1,
                        SessionRevokedData(revocation),   "req-1"};
  auto parsed =
      ParseSessionRevoked(bus::EventEnvelope(draft, NewUuidV7(), "2026-01-01T00:00:00.000Z"));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().detail;
  EXPECT_EQ(parsed->session_id, kSid);
  EXPECT_EQ(parsed->user_id, "0193a3b2-2222-7000-8000-000000000001");
  EXPECT_EQ(parsed->revoked_at, kT0);
  EXPECT_EQ(parsed->until, revocation.until);
}

TEST(SessionRevokedTest, OtherEventsAndMalformedOnesAreRefused) {
  EXPECT_FALSE(ParseSessionRevoked("not json").has_value());
  EXPECT_FALSE(ParseSessionRevoked(R"({"type":"todo.user.created","data":{}})").has_value());
  EXPECT_FALSE(
      ParseSessionRevoked(
          R"({"type":"todo.session.revoked","data":{"session_id":"x","until":"2026-01-01T00:00:00Z","revoked_at":"2026-01-01T00:00:00Z"}})")
          .has_value());
  EXPECT_FALSE(
      ParseSessionRevoked(
          R"({"type":"todo.session.revoked","data":{"session_id":"0193a3b2-1111-7000-8000-000000000001"}})")
          .has_value());
}

// The guard against a Redis that is down (a port nobody listens on) or up (a private server).
class AuthGuardRevocationTest : public ::testing::Test {
 protected:
  AuthGuardRevocationTest()
      : key_(SigningKey::Generate()),
        signer_(key_, "iss", "aud", std::chrono::minutes(15)),
        verifier_({key_.Public()}, "iss", "aud") {}

  std::string Token(std::string_view sid) {
    return signer_.Sign(signer_.NewClaims("0193a3b2-3333-7000-8000-000000000001", std::string(sid),
                                          SystemNowUnix()));
  }
  static TimePoint Now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now());
  }
  // The guard's answer: 0 when it let the request through, else the problem's status.
  int Status(redis::Client& redis, RevocationSet& set, std::string_view sid) {
    RevocationList list(set, redis);
    http::AuthGuard guard(verifier_, list);
    http::Request request;
    request.headers.emplace_back("authorization", "Bearer " + Token(sid));
    auto ok = RunSync(guard.Authenticate(request));
    if (ok) return 0;
    return http::Response::Problem(ok.error()).status;
  }

  SigningKey key_;
  TokenSigner signer_;
  TokenVerifier verifier_;
  RevocationSet set_;
  redis::Client down_{"127.0.0.1", platform::testing::FreePort()};
};

TEST_F(AuthGuardRevocationTest, RefusesWith503UntilTheReplayHasCaughtUp) {
  set_.SetLive(true);
  EXPECT_EQ(Status(down_, set_, kSid), 503);
  set_.MarkCaughtUp();
  EXPECT_EQ(Status(down_, set_, kSid), 0);
}

TEST_F(AuthGuardRevocationTest, WithRedisDownTheSetStillRefusesARevokedSessionAndAdmitsOthers) {
  set_.MarkCaughtUp();
  set_.SetLive(true);
  set_.Add(kSid, Now() + 60s, Now());
  EXPECT_EQ(Status(down_, set_, kSid), 401);
  EXPECT_EQ(Status(down_, set_, kOther), 0);
}

TEST_F(AuthGuardRevocationTest, WithRedisDownAndTheStreamNotFollowedItRefusesRatherThanAccepts) {
  set_.MarkCaughtUp();
  set_.SetLive(false);
  EXPECT_EQ(Status(down_, set_, kOther), 503);
}

TEST_F(AuthGuardRevocationTest, AFullSetRefusesWith503RatherThanAccepting) {
  RevocationSet tiny(1);
  tiny.MarkCaughtUp();
  tiny.SetLive(true);
  tiny.Add("0193a3b2-1111-7000-8000-00000000000a", Now() + 60s, Now());
  tiny.Add("0193a3b2-1111-7000-8000-00000000000b", Now() + 60s, Now());
  EXPECT_EQ(Status(down_, tiny, kOther), 503);
}

TEST_F(AuthGuardRevocationTest, ATokenNamingNoSessionIsRefused) {
  set_.MarkCaughtUp();
  set_.SetLive(true);
  EXPECT_EQ(Status(down_, set_, ""), 401);
}

}  // namespace
}  // namespace platform::auth
