// A key rotation end to end, on a real key directory with an injected clock: two identity
// replicas (their SigningKeys, watchers and own verifiers) share the directory, and a verifier
// elsewhere (tasks, progress) follows jwks.json with the platform's KeyRefresher. Tokens signed
// before and after the rotation are accepted by every one of them, and a token of a retired
// key is refused by every one of them. Each read that the services do every few seconds is
// called here at the time the test sets (ReloadNow, RefreshNow): nothing sleeps.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "infra/auth/key_directory.hpp"
#include "infra/auth/session_tokens.hpp"
#include "infra/auth/signing_keys.hpp"
#include "platform/auth/base64url.hpp"
#include "platform/auth/jwt.hpp"
#include "platform/auth/key_source.hpp"
#include "temp_dir.hpp"

namespace identity::infra {
namespace {

namespace fs = std::filesystem;
using identity::testing::TempDir;
using platform::auth::TokenVerifier;

constexpr std::int64_t kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kDelay = 300;
constexpr std::int64_t kTtl = 900;
const std::string kIssuer = "todo-identity";
const std::string kAudience = "todo";

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The kid in a token's header.
std::string KidOf(const std::string& token) {
  const auto header = platform::auth::Base64UrlDecode(token.substr(0, token.find('.')));
  if (!header) return "(malformed)";
  const std::string marker = "\"kid\":\"";
  const auto at = header->find(marker);
  if (at == std::string::npos) return "(none)";
  const auto from = at + marker.size();
  return header->substr(from, header->find('"', from) - from);
}

// One identity replica on the shared directory: what main() builds.
struct Replica {
  Replica(const std::string& dir, const SigningKeys::Clock& clock, std::int64_t now)
      : verifier({}, kIssuer, kAudience, clock),
        keys(Load(dir, now), {kIssuer, kAudience, std::chrono::seconds(kTtl)}, verifier, clock),
        watcher(dir, keys, std::chrono::seconds(5)),
        tokens(keys, std::chrono::hours(24 * 30), std::chrono::hours(24 * 90)) {}

  static KeySet Load(const std::string& dir, std::int64_t now) {
    auto set = LoadKeyDirectory(dir, now, true);
    if (!set) throw std::runtime_error(set.error().detail);
    return std::move(*set);
  }

  std::string Issue() { return tokens.Issue("user-1", "session-1", "refresh").access_token; }

  TokenVerifier verifier;
  SigningKeys keys;
  KeyDirectoryWatcher watcher;
  JwtSessionTokens tokens;
};

class KeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    one_ = std::make_unique<Replica>(dir_.Path(), clock_, now_);
    ASSERT_TRUE(PublishJwks(dir_.Path(), *one_->keys.Jwks()).has_value());
    two_ = std::make_unique<Replica>(dir_.Path(), clock_, now_);
    auto initial = platform::auth::LoadVerifyingKeys(jwks_path_, std::chrono::seconds(1));
    ASSERT_TRUE(initial.has_value()) << initial.error().detail;
    tasks_ = std::make_unique<TokenVerifier>(*initial, kIssuer, kAudience, clock_);
    refresher_ = std::make_unique<platform::auth::KeyRefresher>(
        jwks_path_, *tasks_, std::chrono::seconds(60), std::chrono::seconds(1), *initial);
  }

  // What happens every few seconds in the running services, at the time the test has set.
  void EveryoneRereads() {
    ASSERT_TRUE(one_->watcher.ReloadNow().has_value());
    ASSERT_TRUE(two_->watcher.ReloadNow().has_value());
    ASSERT_TRUE(refresher_->RefreshNow().has_value());
  }

  // Which of identity one, identity two and tasks accept `token` now ("111": all three).
  std::string Acceptance(const std::string& token) {
    std::string out;
    for (TokenVerifier* v : {&one_->verifier, &two_->verifier, tasks_.get()}) {
      out += v->Verify(token).has_value() ? '1' : '0';
    }
    return out;
  }

  // The kids in jwks.json, sorted.
  std::vector<std::string> FileKids() {
    auto keys = platform::auth::VerifyingKey::FromJwks(Read(jwks_path_));
    std::vector<std::string> kids;
    if (keys) {
      for (const auto& key : *keys) kids.push_back(key.KeyId());
    }
    std::sort(kids.begin(), kids.end());
    return kids;
  }

  TempDir dir_;
  std::string jwks_path_ = dir_ / "jwks.json";
  std::atomic<std::int64_t> now_{kStart};
  SigningKeys::Clock clock_ = [this] { return now_.load(); };
  std::unique_ptr<Replica> one_;
  std::unique_ptr<Replica> two_;
  std::unique_ptr<TokenVerifier> tasks_;
  std::unique_ptr<platform::auth::KeyRefresher> refresher_;
};

TEST_F(KeyRotationTest, TokensOfBothKeysAreAcceptedThroughoutAndARetiredKeysTokenIsRefused) {
  // A directory from before rings: its one key signs, everyone accepts its tokens.
  const std::string old_kid = one_->keys.PublishedKids().at(0);
  const auto old_key = platform::auth::SigningKey::Load(dir_ / "identity-ed25519.pem");
  const std::string before = one_->Issue();
  EXPECT_EQ(KidOf(before), old_kid);
  EXPECT_EQ(KidOf(two_->Issue()), old_kid);
  EXPECT_EQ(Acceptance(before), "111");

  now_ += 10;
  auto rotation = RotateSigningKey(dir_.Path(), now_, domain::RotationTimes{kDelay, kTtl}, false);
  ASSERT_TRUE(rotation.has_value()) << rotation.error().detail;
  const std::string new_kid = rotation->kid;
  const std::int64_t activate_at = kStart + 10 + kDelay;
  const std::int64_t retire_at = activate_at + kTtl + domain::kRetireMarginSeconds;
  const std::string ring_text = Read(dir_ / "keyring.json");

  // Every replica publishes both keys at its next read; the old one still signs.
  auto changes = one_->watcher.ReloadNow();
  ASSERT_TRUE(changes.has_value()) << changes.error().detail;
  EXPECT_TRUE(changes->published);
  EXPECT_FALSE(changes->signing);
  EveryoneRereads();
  std::vector<std::string> both{old_kid, new_kid};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(one_->keys.PublishedKids(), both);
  EXPECT_EQ(two_->keys.PublishedKids(), both);
  EXPECT_EQ(FileKids(), both);
  EXPECT_NE(one_->keys.Jwks()->find(new_kid), std::string::npos);
  EXPECT_EQ(KidOf(one_->Issue()), old_kid);

  // The last second of the old key, then the new one, picked by the clock at each token.
  now_ = activate_at - 1;
  const std::string last_old = two_->Issue();
  EXPECT_EQ(KidOf(last_old), old_kid);
  now_ = activate_at;
  const std::string first_new = one_->Issue();
  EXPECT_EQ(KidOf(first_new), new_kid);
  EXPECT_EQ(KidOf(two_->Issue()), new_kid);
  for (const auto& token : {before, last_old, first_new}) EXPECT_EQ(Acceptance(token), "111");
  EveryoneRereads();
  for (const auto& token : {last_old, first_new}) EXPECT_EQ(Acceptance(token), "111");

  // A token of the old key that would still be valid after its retirement (none is signed so:
  // this one is made by hand, with a long lifetime).
  const platform::auth::TokenSigner long_lived(old_key, kIssuer, kAudience, std::chrono::hours(2));
  now_ = retire_at - 100;
  const std::string outliving = long_lived.Sign(long_lived.NewClaims("user-1", "session-1", now_));

  // Until the retirement the old key is published and its tokens accepted everywhere ...
  now_ = retire_at - 1;
  EveryoneRereads();
  EXPECT_EQ(Acceptance(outliving), "111");
  EXPECT_EQ(FileKids(), both);
  EXPECT_TRUE(fs::exists(dir_ / "identity-ed25519.pem"));

  // ... and at it, every replica and the verifier drop it: its token is refused (401).
  now_ = retire_at;
  EveryoneRereads();
  EXPECT_EQ(Acceptance(outliving), "000");
  auto refused = tasks_->Verify(outliving);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, platform::ErrorKind::kUnauthorized);
  EXPECT_EQ(refused.error().detail, "unknown signing key");
  EXPECT_EQ(one_->keys.PublishedKids(), std::vector<std::string>{new_kid});
  EXPECT_EQ(FileKids(), std::vector<std::string>{new_kid});
  // The new key's tokens go on, the retired key's file is gone, and the ring is the rotation's.
  const std::string after = two_->Issue();
  EXPECT_EQ(KidOf(after), new_kid);
  EXPECT_EQ(Acceptance(after), "111");
  EXPECT_FALSE(fs::exists(dir_ / "identity-ed25519.pem"));
  EXPECT_EQ(Read(dir_ / "keyring.json"), ring_text);
}

TEST_F(KeyRotationTest, AnEmergencyRotationRefusesTheOldKeysTokensAtTheNextRead) {
  const std::string before = one_->Issue();
  ASSERT_EQ(Acceptance(before), "111");
  auto rotation = RotateSigningKey(dir_.Path(), now_, domain::RotationTimes{kDelay, kTtl}, true);
  ASSERT_TRUE(rotation.has_value()) << rotation.error().detail;
  now_ += 1;
  EveryoneRereads();
  EXPECT_EQ(Acceptance(before), "000");
  const std::string after = two_->Issue();
  EXPECT_EQ(KidOf(after), rotation->kid);
  EXPECT_EQ(Acceptance(after), "111");
}

TEST_F(KeyRotationTest, AMalformedRingAtRunTimeLeavesTheKeysAsTheyWere) {
  ASSERT_TRUE(
      RotateSigningKey(dir_.Path(), now_, domain::RotationTimes{kDelay, kTtl}, false).has_value());
  EveryoneRereads();
  const auto published = one_->keys.PublishedKids();
  const std::string jwks = *one_->keys.Jwks();
  const std::string ring_text = Read(dir_ / "keyring.json");
  const std::string token = one_->Issue();

  {
    std::ofstream broken(dir_ / "keyring.json", std::ios::trunc);
    broken << R"({"version":1,"keys":[{"kid":"x"}]})";
  }
  auto reload = one_->watcher.ReloadNow();
  ASSERT_FALSE(reload.has_value());
  EXPECT_NE(reload.error().detail.find("keyring.json"), std::string::npos);
  EXPECT_EQ(one_->keys.PublishedKids(), published);
  EXPECT_EQ(*one_->keys.Jwks(), jwks);
  EXPECT_EQ(Acceptance(token), "111");
  EXPECT_EQ(KidOf(one_->Issue()), KidOf(token));

  {
    std::ofstream fixed(dir_ / "keyring.json", std::ios::trunc);
    fixed << ring_text;
  }
  EXPECT_TRUE(one_->watcher.ReloadNow().has_value());
}

TEST_F(KeyRotationTest, ARunningWatcherPicksUpARotationByItself) {
  KeyDirectoryWatcher watcher(dir_.Path(), one_->keys, std::chrono::seconds(1));
  watcher.Start();
  ASSERT_TRUE(
      RotateSigningKey(dir_.Path(), now_, domain::RotationTimes{kDelay, kTtl}, false).has_value());
  // Awaited, not slept for: the loop reads the directory every second, so the rotation is seen
  // within about one; the deadline only bounds a failure.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (one_->keys.PublishedKids().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  watcher.Stop();
  EXPECT_EQ(one_->keys.PublishedKids().size(), 2U);
  EXPECT_EQ(FileKids().size(), 2U);
}

}  // namespace
}  // namespace identity::infra
