// Use cases against in-memory fakes of their ports: the rules of API.md without any I/O.

#include <utility>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include "platform/testing/run_sync.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "app/use_cases.hpp"

namespace identity::app {
namespace {

using platform::Error;
using platform::ErrorKind;
using platform::Result;

using platform::testing::RunSync;

struct FakeStore : UserStore {
  std::map<std::string, domain::Credentials> users;              // by id
  std::map<std::string, std::pair<std::string, bool>> tokens;    // hash -> (family, used)
  std::map<std::string, std::pair<std::string, bool>> families;  // id -> (user, revoked)
  int events = 0;

  static SessionRevocation Ended(const std::string& family, const std::string& user) {
    return platform::RevocationOf(family, user, platform::TimePoint{}, std::chrono::seconds(900));
  }

  Async<domain::User> Create(domain::User user, std::string hash, NewSession s,
                             std::string) override {
    for (auto& [id, c] : users) {
      if (c.user.email == user.email) co_return std::unexpected(Error::Conflict("taken"));
    }
    users[user.id] = {user, hash};
    families[s.family_id] = {user.id, false};
    tokens[s.refresh_token_hash] = {s.family_id, false};
    ++events;
    co_return user;
  }
  Async<std::optional<domain::Credentials>> FindByEmail(std::string email) override {
    for (auto& [id, c] : users) {
      if (c.user.email == email) co_return std::optional(c);
    }
    co_return std::optional<domain::Credentials>{};
  }
  Async<std::optional<domain::Credentials>> FindById(std::string id) override {
    auto it = users.find(id);
    if (it == users.end()) co_return std::optional<domain::Credentials>{};
    co_return std::optional(it->second);
  }
  Async<void> OpenSession(std::string user_id, NewSession s) override {
    families[s.family_id] = {user_id, false};
    tokens[s.refresh_token_hash] = {s.family_id, false};
    co_return Result<void>{};
  }
  Async<RotationOutcome> Rotate(std::string presented, NewSession next) override {
    auto it = tokens.find(presented);
    if (it == tokens.end()) co_return RotationOutcome{};
    auto& family = families[it->second.first];
    RotationOutcome out{RotationOutcome::Kind::kRotated, family.first, it->second.first, {}};
    if (it->second.second || family.second) {
      if (!family.second) out.ended.push_back(Ended(out.family_id, family.first));
      family.second = true;
      out.kind = RotationOutcome::Kind::kReused;
      co_return out;
    }
    it->second.second = true;
    tokens[next.refresh_token_hash] = {out.family_id, false};
    co_return out;
  }
  Async<std::vector<SessionRevocation>> EndSessions(std::string user_id, std::string family_id,
                                                    std::string hash, std::string) override {
    std::vector<SessionRevocation> out;
    for (auto& [id, f] : families) {
      bool match = id == family_id || (tokens.contains(hash) && tokens[hash].first == id);
      if (f.first == user_id && !f.second && match) {
        f.second = true;
        out.push_back(Ended(id, user_id));
      }
    }
    co_return out;
  }
  Async<domain::User> Update(std::string user_id, ProfileChange change, std::string) override {
    auto& u = users.at(user_id).user;
    if (change.name) u.name = *change.name;
    if (change.timezone) u.timezone = *change.timezone;
    if (change.default_task_ttl_seconds.present) {
      u.default_task_ttl_seconds = change.default_task_ttl_seconds.value;
    }
    ++u.version;
    ++events;
    co_return u;
  }
  Async<std::vector<SessionRevocation>> ChangePassword(std::string user_id, std::string hash,
                                                       std::string keep, std::string) override {
    users.at(user_id).password_hash = hash;
    std::vector<SessionRevocation> out;
    for (auto& [id, f] : families) {
      if (f.first == user_id && !f.second && id != keep) {
        f.second = true;
        out.push_back(Ended(id, user_id));
      }
    }
    co_return out;
  }
  Async<std::vector<SessionRevocation>> Delete(std::string user_id, std::string) override {
    users.erase(user_id);
    ++events;
    std::vector<SessionRevocation> out;
    for (auto& [id, f] : families) {
      if (f.first == user_id && !f.second) out.push_back(Ended(id, user_id));
    }
    co_return out;
  }
};

struct FakeHasher : PasswordHasher {
  int verifications = 0;
  int hashes = 0;
  Async<std::string> Hash(std::string password) override {
    ++hashes;
    co_return "hash:" + password;
  }
  Async<bool> Verify(std::string hash, std::string password) override {
    ++verifications;
    co_return hash == "hash:" + password;
  }
  Async<bool> VerifyDummy(std::string) override {
    ++verifications;
    co_return false;
  }
};

struct FakeThrottle : LoginThrottle {
  bool limited = false;
  int failures = 0;
  Async<void> Check(std::string, std::string) override {
    if (limited) co_return std::unexpected(Error::RateLimited("slow down", 60));
    co_return Result<void>{};
  }
  Async<void> RecordFailure(std::string, std::string) override {
    ++failures;
    co_return Result<void>{};
  }
  bool registrations_limited = false;
  int registrations = 0;
  Async<void> AdmitRegistration(std::string) override {
    ++registrations;
    if (registrations_limited) co_return std::unexpected(Error::RateLimited("slow down", 3600));
    co_return Result<void>{};
  }
};

struct FakeTokens : SessionTokens {
  int counter = 0;
  std::string NewRefreshToken() override { return "refresh-" + std::to_string(++counter); }
  std::string HashRefreshToken(std::string_view token) override {
    return "h(" + std::string(token) + ")";
  }
  Tokens Issue(const std::string& user, const std::string& family, std::string refresh) override {
    return {"access:" + user + ":" + family, std::move(refresh), 900};
  }
  std::chrono::seconds AccessTtl() const override { return std::chrono::seconds(900); }
  std::chrono::seconds RefreshTtl() const override { return std::chrono::seconds(86400); }
  std::chrono::seconds SessionMaxAge() const override { return std::chrono::seconds(7 * 86400); }
};

struct FakeRevocations : AccessRevocations {
  std::vector<std::string> sessions;
  boost::asio::awaitable<void> RevokeSessions(std::vector<SessionRevocation> ended) override {
    for (const auto& r : ended) sessions.push_back(r.session_id);
    co_return;
  }
};

struct FakeEnvironment : Environment {
  int ids = 0;
  std::string NewId() override { return "id-" + std::to_string(++ids); }
  std::string Now() override { return "2026-01-01T00:00:00.000Z"; }
};

class UseCases : public ::testing::Test {
 protected:
  FakeStore store_;
  FakeHasher hasher_;
  FakeThrottle throttle_;
  FakeTokens tokens_;
  FakeRevocations revocations_;
  FakeEnvironment env_;
  domain::CommonPasswords common_{"password\nqwerty123\n"};
  domain::TimezoneCatalog zones_{{"UTC", "Asia/Jakarta"}};
  IdentityDeps deps_{store_, hasher_, throttle_, tokens_, revocations_, env_, common_, zones_};

  AuthResult Register(std::string email = "siti@example.com") {
    auto r =
        RunSync(RegisterUser(deps_, {email, "long enough secret", "Siti", "req-1", "1.2.3.4"}));
    EXPECT_TRUE(r.has_value());
    return *r;
  }
  Caller CallerFor(const AuthResult& auth, std::string family) {
    return Caller{auth.user.id, std::move(family), "jti-1", 1000, "req-2", "1.2.3.4"};
  }
};

TEST_F(UseCases, RegisterNormalisesEmailStoresOnlyAHashAndPublishes) {
  auto auth = Register("  Siti@Example.COM ");
  EXPECT_EQ(auth.user.email, "siti@example.com");
  EXPECT_EQ(store_.users.at(auth.user.id).password_hash, "hash:long enough secret");
  EXPECT_EQ(store_.events, 1);
  EXPECT_EQ(auth.tokens.refresh_token, "refresh-1");
}

TEST_F(UseCases, RegisterReportsEveryInvalidFieldAtOnce) {
  auto r = RunSync(RegisterUser(deps_, {"not-an-email", "short", "", "req", "1.2.3.4"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kValidation);
  std::set<std::string> fields;
  for (const auto& e : r.error().errors) fields.insert(e.field);
  EXPECT_EQ(fields, (std::set<std::string>{"email", "password", "name"}));
  EXPECT_TRUE(store_.users.empty());
}

TEST_F(UseCases, RegisterRefusesACommonPassword) {
  auto r = RunSync(RegisterUser(deps_, {"a@example.com", "QWERTY123", "A", "req", "1.2.3.4"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().errors.at(0).field, "password");
}

TEST_F(UseCases, SecondRegistrationOfAnEmailIsAConflict) {
  Register("a@example.com");
  auto r =
      RunSync(RegisterUser(deps_, {"A@example.com", "long enough secret", "A", "req", "1.2.3.4"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kConflict);
}

TEST_F(UseCases, UnknownEmailAndWrongPasswordAnswerTheSameAfterTheSameWork) {
  Register("a@example.com");
  auto unknown = RunSync(LogIn(deps_, {"b@example.com", "long enough secret", "1.2.3.4"}));
  auto wrong = RunSync(LogIn(deps_, {"a@example.com", "wrong password!", "1.2.3.4"}));
  ASSERT_FALSE(unknown.has_value());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(unknown.error().detail, wrong.error().detail);
  EXPECT_EQ(hasher_.verifications, 2);  // one hash each: no timing difference to probe
  EXPECT_EQ(throttle_.failures, 2);
}

TEST_F(UseCases, RateLimitedLoginIsRefusedBeforeAnyHashing) {
  Register("a@example.com");
  throttle_.limited = true;
  auto r = RunSync(LogIn(deps_, {"a@example.com", "long enough secret", "1.2.3.4"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(r.error().retry_after_seconds, 60);
  EXPECT_EQ(hasher_.verifications, 0);
}

TEST_F(UseCases, RefreshRotatesAndReuseRevokesTheFamily) {
  auto auth = Register();
  auto first = RunSync(RefreshSession(deps_, auth.tokens.refresh_token));
  ASSERT_TRUE(first.has_value());
  EXPECT_NE(first->refresh_token, auth.tokens.refresh_token);
  auto reuse = RunSync(RefreshSession(deps_, auth.tokens.refresh_token));
  ASSERT_FALSE(reuse.has_value());
  EXPECT_EQ(reuse.error().kind, ErrorKind::kUnauthorized);
  ASSERT_EQ(revocations_.sessions.size(), 1u);
  auto after = RunSync(RefreshSession(deps_, first->refresh_token));
  EXPECT_FALSE(after.has_value());  // the newest token of the family is dead too
}

TEST_F(UseCases, LogoutRevokesTheAccessTokenAndTheSession) {
  auto auth = Register();
  std::string family = store_.tokens.at("h(" + auth.tokens.refresh_token + ")").first;
  auto r = RunSync(LogOut(deps_, CallerFor(auth, family), auth.tokens.refresh_token));
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(std::find(revocations_.sessions.begin(), revocations_.sessions.end(), family),
            revocations_.sessions.end());
  EXPECT_FALSE(RunSync(RefreshSession(deps_, auth.tokens.refresh_token)).has_value());
}

TEST_F(UseCases, PasswordChangeKeepsThisSessionAndRevokesTheOthers) {
  auto auth = Register("a@example.com");
  std::string mine = store_.tokens.at("h(" + auth.tokens.refresh_token + ")").first;
  auto other = RunSync(LogIn(deps_, {"a@example.com", "long enough secret", "1.2.3.4"}));
  ASSERT_TRUE(other.has_value());
  auto r = RunSync(
      ChangePassword(deps_, CallerFor(auth, mine), {"long enough secret", "another fine secret"}));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(revocations_.sessions.size(), 1u);
  EXPECT_NE(revocations_.sessions[0], mine);
  EXPECT_EQ(store_.users.at(auth.user.id).password_hash, "hash:another fine secret");
}

TEST_F(UseCases, PasswordChangeWithWrongCurrentPasswordChangesNothing) {
  auto auth = Register();
  auto r =
      RunSync(ChangePassword(deps_, CallerFor(auth, "f"), {"wrong one!", "another fine secret"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().errors.at(0).field, "current_password");
  EXPECT_EQ(store_.users.at(auth.user.id).password_hash, "hash:long enough secret");
}

TEST_F(UseCases, ProfileUpdateValidatesTimezoneAndTtl) {
  auto auth = Register();
  ProfileChange bad;
  bad.timezone = "Mars/Olympus";
  bad.default_task_ttl_seconds = {true, 0};
  auto r = RunSync(UpdateProfile(deps_, CallerFor(auth, "f"), bad));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().errors.size(), 2u);
  EXPECT_EQ(store_.users.at(auth.user.id).user.version, 1);
  ProfileChange good;
  good.timezone = "Asia/Jakarta";
  good.default_task_ttl_seconds = {true, 3600};
  auto ok = RunSync(UpdateProfile(deps_, CallerFor(auth, "f"), good));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->timezone, "Asia/Jakarta");
  EXPECT_EQ(ok->default_task_ttl_seconds, 3600);
  EXPECT_EQ(ok->version, 2);
}

TEST_F(UseCases, DeleteNeedsThePassword) {
  auto auth = Register();
  auto wrong = RunSync(DeleteAccount(deps_, CallerFor(auth, "f"), "nope nope"));
  ASSERT_FALSE(wrong.has_value());
  EXPECT_TRUE(store_.users.contains(auth.user.id));
  auto ok = RunSync(DeleteAccount(deps_, CallerFor(auth, "f"), "long enough secret"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_FALSE(store_.users.contains(auth.user.id));
  EXPECT_EQ(store_.events, 2);
}

}  // namespace
}  // namespace identity::app

namespace identity::app {
namespace {

TEST_F(UseCases, RegistrationOfATakenEmailCostsNoHashAndIsAConflict) {
  Register("a@example.com");
  ASSERT_EQ(hasher_.hashes, 1);
  auto r =
      RunSync(RegisterUser(deps_, {"A@example.com", "long enough secret", "A", "req", "1.2.3.4"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(hasher_.hashes, 1);
}

TEST_F(UseCases, RegistrationOverTheAddressLimitIsRefusedBeforeHashing) {
  throttle_.registrations_limited = true;
  auto r =
      RunSync(RegisterUser(deps_, {"a@example.com", "long enough secret", "A", "req", "9.9.9.9"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(r.error().retry_after_seconds, 3600);
  EXPECT_EQ(hasher_.hashes, 0);
  EXPECT_TRUE(store_.users.empty());
}

TEST_F(UseCases, WrongCurrentPasswordCountsLikeAFailedLogin) {
  auto auth = Register();
  auto r =
      RunSync(ChangePassword(deps_, CallerFor(auth, "f"), {"wrong one!", "another fine secret"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(throttle_.failures, 1);
}

TEST_F(UseCases, ThrottledPasswordChangeIsRefusedBeforeAnyHashing) {
  auto auth = Register();
  throttle_.limited = true;
  int hashes = hasher_.hashes;
  auto r = RunSync(
      ChangePassword(deps_, CallerFor(auth, "f"), {"long enough secret", "another fine secret"}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(r.error().retry_after_seconds, 60);
  EXPECT_EQ(hasher_.verifications, 0);
  EXPECT_EQ(hasher_.hashes, hashes);
  EXPECT_EQ(store_.users.at(auth.user.id).password_hash, "hash:long enough secret");
}

TEST_F(UseCases, WrongDeletionPasswordCountsLikeAFailedLogin) {
  auto auth = Register();
  ASSERT_FALSE(RunSync(DeleteAccount(deps_, CallerFor(auth, "f"), "nope nope")).has_value());
  EXPECT_EQ(throttle_.failures, 1);
}

TEST_F(UseCases, ThrottledAccountDeletionIsRefusedBeforeAnyHashing) {
  auto auth = Register();
  throttle_.limited = true;
  auto r = RunSync(DeleteAccount(deps_, CallerFor(auth, "f"), "long enough secret"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(hasher_.verifications, 0);
  EXPECT_TRUE(store_.users.contains(auth.user.id));
}

}  // namespace
}  // namespace identity::app
