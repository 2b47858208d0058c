// The key directory on disk: keyring.json read and written, a directory from before rings read
// as it was, malformed rings refused with a message naming the problem, and a rotation's files
// (modes, names, the ring, jwks.json, deleted keys).

#include "infra/auth/key_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "infra/auth/key_ring_file.hpp"
#include "platform/auth/jwt.hpp"
#include "temp_dir.hpp"

namespace identity::infra {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr domain::RotationTimes kTimes{/*activation_delay=*/300, /*access_ttl=*/900};

using identity::testing::TempDir;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void Write(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

unsigned Mode(const std::string& path) {
  struct stat st = {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

std::string ParseError(std::string_view text) {
  auto ring = ParseKeyRing(text);
  return ring ? "(parsed)" : ring.error().detail;
}

TEST(KeyRingFile, WhatIsWrittenIsReadBack) {
  domain::KeyRing ring{{{"old", "identity-ed25519.pem", 0, kNow + 1260},
                        {"new", "key-new.pem", kNow + 300, std::nullopt}}};
  const std::string text = FormatKeyRing(ring);
  EXPECT_NE(text.find("\"activate_at\":\"2026-01-01T00:05:00.000Z\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"activate_at\":\"1970-01-01T00:00:00.000Z\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"retire_at\":null"), std::string::npos) << text;
  auto back = ParseKeyRing(text);
  ASSERT_TRUE(back.has_value()) << back.error().detail;
  ASSERT_EQ(back->keys.size(), 2U);
  EXPECT_EQ(back->keys[0].kid, "old");
  EXPECT_EQ(back->keys[0].file, "identity-ed25519.pem");
  EXPECT_EQ(back->keys[0].activate_at, 0);
  EXPECT_EQ(back->keys[0].retire_at, kNow + 1260);
  EXPECT_EQ(back->keys[1].activate_at, kNow + 300);
  EXPECT_EQ(back->keys[1].retire_at, std::nullopt);
}

TEST(KeyRingFile, AnOffsetOrAFractionIsReadInWholeSecondsOfUtc) {
  auto ring = ParseKeyRing(
      R"({"version":1,"keys":[{"kid":"a","file":"a.pem","activate_at":"2026-01-01T07:00:00.900+07:00"}]})");
  ASSERT_TRUE(ring.has_value()) << ring.error().detail;
  EXPECT_EQ(ring->keys[0].activate_at, kNow);
  EXPECT_EQ(ring->keys[0].retire_at, std::nullopt);
}

TEST(KeyRingFile, AMalformedFileIsRefusedNamingWhatIsWrong) {
  EXPECT_NE(ParseError("").find("keyring.json: "), std::string::npos);
  EXPECT_NE(ParseError("not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(ParseError("[]").find("must be a JSON object"), std::string::npos);
  EXPECT_NE(ParseError(R"({"keys":[]})").find("version is required"), std::string::npos);
  EXPECT_NE(ParseError(R"({"version":2,"keys":[]})").find("version must be 1"), std::string::npos);
  EXPECT_NE(ParseError(R"({"version":null,"keys":[]})").find("version must be 1"),
            std::string::npos);
  EXPECT_NE(ParseError(R"({"version":1})").find("keys is required"), std::string::npos);
  EXPECT_NE(ParseError(R"({"version":1,"keys":null})").find("keys must be an array"),
            std::string::npos);
  EXPECT_NE(ParseError(R"({"version":1,"keys":{}})").find("keys must be an array"),
            std::string::npos);
  EXPECT_NE(ParseError(R"({"version":1,"keys":[]})").find("keys must not be empty"),
            std::string::npos);
  EXPECT_NE(ParseError(R"({"version":1,"keys":[],"extra":1})").find("extra is not a known field"),
            std::string::npos);
  const std::string key_errors = ParseError(
      R"({"version":1,"keys":[{"kid":"a","file":"a.pem","activate_at":"2026-01-01T00:00:00Z"},)"
      R"({"file":7,"activate_at":"yesterday","retire_at":"soon","colour":"red"}]})");
  EXPECT_NE(key_errors.find("keys[1].kid is required"), std::string::npos) << key_errors;
  EXPECT_NE(key_errors.find("keys[1].file must be a string"), std::string::npos) << key_errors;
  EXPECT_NE(key_errors.find("keys[1].activate_at must be an RFC 3339 time"), std::string::npos)
      << key_errors;
  EXPECT_NE(key_errors.find("keys[1].retire_at must be an RFC 3339 time"), std::string::npos)
      << key_errors;
  EXPECT_NE(key_errors.find("keys[1].colour is not a known field"), std::string::npos)
      << key_errors;
  EXPECT_EQ(key_errors.find("keys[0]"), std::string::npos) << key_errors;
}

TEST(KeyDirectory, AnEmptyDirectoryGetsItsFirstKeyAsBeforeRings) {
  TempDir dir;
  auto set = LoadKeyDirectory(dir.Path(), kNow, /*create_first=*/true);
  ASSERT_TRUE(set.has_value()) << set.error().detail;
  EXPECT_TRUE(set->legacy);
  ASSERT_EQ(set->ring.keys.size(), 1U);
  EXPECT_EQ(set->ring.keys[0].file, "identity-ed25519.pem");
  EXPECT_EQ(set->ring.keys[0].activate_at, 0);
  EXPECT_EQ(Mode(dir / "identity-ed25519.pem"), 0600U);
  EXPECT_FALSE(fs::exists(dir / "keyring.json"));
  // The next start reads the same key.
  auto again = LoadKeyDirectory(dir.Path(), kNow + 1, true);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->ring.keys[0].kid, set->ring.keys[0].kid);
  EXPECT_TRUE(again->keys.contains(set->ring.keys[0].kid));
}

TEST(KeyDirectory, ADirectoryFromBeforeRingsKeepsItsKey) {
  TempDir dir;
  const auto key = platform::auth::SigningKey::LoadOrCreate(dir / "identity-ed25519.pem");
  auto set = LoadKeyDirectory(dir.Path(), kNow, false);
  ASSERT_TRUE(set.has_value()) << set.error().detail;
  EXPECT_TRUE(set->legacy);
  EXPECT_EQ(set->ring.keys[0].kid, key.KeyId());
  EXPECT_EQ(domain::SigningKeyAt(set->ring, kNow)->kid, key.KeyId());
}

TEST(KeyDirectory, WithoutAKeyAndWithoutCreatingOneItIsAnError) {
  TempDir dir;
  auto set = LoadKeyDirectory(dir.Path(), kNow, false);
  ASSERT_FALSE(set.has_value());
  EXPECT_NE(set.error().detail.find("identity-ed25519.pem"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "identity-ed25519.pem"));
}

TEST(KeyDirectory, AMalformedRingIsAnErrorNamingTheFileAndNoKeyIsCreated) {
  TempDir dir;
  Write(dir / "keyring.json", R"({"version":1,"keys":[{"kid":"a"}]})");
  auto set = LoadKeyDirectory(dir.Path(), kNow, true);
  ASSERT_FALSE(set.has_value());
  EXPECT_NE(set.error().detail.find(dir / "keyring.json"), std::string::npos) << set.error().detail;
  EXPECT_NE(set.error().detail.find("keys[0].file is required"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "identity-ed25519.pem"));
}

TEST(KeyDirectory, ARingThatDoesNotMatchItsFilesIsAnError) {
  TempDir dir;
  const auto a = platform::auth::SigningKey::LoadOrCreate(dir / "a.pem");
  const auto b = platform::auth::SigningKey::LoadOrCreate(dir / "b.pem");
  const auto ring_of = [](const std::string& kid, const std::string& file) {
    return FormatKeyRing(domain::KeyRing{{{kid, file, 0, std::nullopt}}});
  };
  Write(dir / "keyring.json", ring_of(a.KeyId(), "b.pem"));
  auto mismatch = LoadKeyDirectory(dir.Path(), kNow, false);
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_NE(mismatch.error().detail.find("b.pem holds another key (" + b.KeyId() + ")"),
            std::string::npos)
      << mismatch.error().detail;

  Write(dir / "keyring.json", ring_of(a.KeyId(), "missing.pem"));
  auto missing = LoadKeyDirectory(dir.Path(), kNow, true);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().detail.find("missing.pem"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "missing.pem"));

  // A key that no ring publishes any more needs no file.
  Write(dir / "keyring.json",
        FormatKeyRing(domain::KeyRing{
            {{"gone", "gone.pem", 0, kNow - 1}, {a.KeyId(), "a.pem", kNow - 100, std::nullopt}}}));
  auto fine = LoadKeyDirectory(dir.Path(), kNow, false);
  ASSERT_TRUE(fine.has_value()) << fine.error().detail;
  EXPECT_FALSE(fine->legacy);
  EXPECT_EQ(fine->keys.size(), 1U);
  EXPECT_TRUE(fine->keys.contains(a.KeyId()));
}

TEST(KeyDirectory, ARotationWritesAKeyAndTheRingPrivatelyAndPublishesBothKeys) {
  TempDir dir;
  auto first = LoadKeyDirectory(dir.Path(), kNow, true);
  ASSERT_TRUE(first.has_value());
  const std::string old_kid = first->ring.keys[0].kid;

  auto rotation = RotateSigningKey(dir.Path(), kNow, kTimes, false);
  ASSERT_TRUE(rotation.has_value()) << rotation.error().detail;
  EXPECT_EQ(rotation->before.keys.size(), 1U);
  EXPECT_EQ(rotation->before.keys[0].kid, old_kid);
  const std::string new_file = "key-" + rotation->kid + ".pem";
  EXPECT_EQ(Mode(dir / new_file), 0600U);
  EXPECT_EQ(Mode(dir / "keyring.json"), 0600U);
  EXPECT_EQ(Mode(dir / "jwks.json"), 0644U);
  EXPECT_TRUE(rotation->deleted.empty());
  EXPECT_TRUE(fs::exists(dir / "identity-ed25519.pem"));
  // No temporary file is left behind.
  for (const auto& entry : fs::directory_iterator(dir.Path())) {
    EXPECT_NE(entry.path().filename().string().front(), '.') << entry.path();
  }

  auto ring = ParseKeyRing(Read(dir / "keyring.json"));
  ASSERT_TRUE(ring.has_value()) << ring.error().detail;
  ASSERT_EQ(ring->keys.size(), 2U);
  EXPECT_EQ(ring->keys[0].kid, old_kid);
  EXPECT_EQ(ring->keys[0].file, "identity-ed25519.pem");
  EXPECT_EQ(ring->keys[0].retire_at, kNow + 300 + 900 + domain::kRetireMarginSeconds);
  EXPECT_EQ(ring->keys[1].kid, rotation->kid);
  EXPECT_EQ(ring->keys[1].file, new_file);
  EXPECT_EQ(ring->keys[1].activate_at, kNow + 300);

  auto published = platform::auth::VerifyingKey::FromJwks(Read(dir / "jwks.json"));
  ASSERT_TRUE(published.has_value());
  std::vector<std::string> kids;
  for (const auto& key : *published) kids.push_back(key.KeyId());
  std::sort(kids.begin(), kids.end());
  std::vector<std::string> expected{old_kid, rotation->kid};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(kids, expected);

  // The directory now reads as the ring, with both private keys.
  auto set = LoadKeyDirectory(dir.Path(), kNow, false);
  ASSERT_TRUE(set.has_value()) << set.error().detail;
  EXPECT_FALSE(set->legacy);
  EXPECT_EQ(set->keys.size(), 2U);
  EXPECT_EQ(set->keys.at(rotation->kid).KeyId(), rotation->kid);
}

TEST(KeyDirectory, ALaterRotationDeletesTheFilesOfKeysThatLeftTheRing) {
  TempDir dir;
  ASSERT_TRUE(LoadKeyDirectory(dir.Path(), kNow, true).has_value());
  auto first = RotateSigningKey(dir.Path(), kNow, kTimes, false);
  ASSERT_TRUE(first.has_value());
  Write(dir / ".key-crashed.tmp", "half a key");  // what a rotation killed midway leaves
  const std::int64_t later = kNow + 300 + 900 + domain::kRetireMarginSeconds;
  auto second = RotateSigningKey(dir.Path(), later, kTimes, false);
  ASSERT_TRUE(second.has_value()) << second.error().detail;
  std::sort(second->deleted.begin(), second->deleted.end());
  EXPECT_EQ(second->deleted,
            (std::vector<std::string>{".key-crashed.tmp", "identity-ed25519.pem"}));
  EXPECT_FALSE(fs::exists(dir / "identity-ed25519.pem"));
  EXPECT_TRUE(fs::exists(dir / ("key-" + first->kid + ".pem")));
  ASSERT_EQ(second->after.keys.size(), 2U);
  // A service restarted now finds the ring and creates no legacy key again.
  auto set = LoadKeyDirectory(dir.Path(), later, true);
  ASSERT_TRUE(set.has_value()) << set.error().detail;
  EXPECT_FALSE(set->legacy);
  EXPECT_FALSE(fs::exists(dir / "identity-ed25519.pem"));
}

TEST(KeyDirectory, AnEmergencyRotationLeavesOnlyTheNewKey) {
  TempDir dir;
  ASSERT_TRUE(LoadKeyDirectory(dir.Path(), kNow, true).has_value());
  auto rotation = RotateSigningKey(dir.Path(), kNow, kTimes, /*at_once=*/true);
  ASSERT_TRUE(rotation.has_value()) << rotation.error().detail;
  EXPECT_EQ(rotation->deleted, std::vector<std::string>{"identity-ed25519.pem"});
  auto set = LoadKeyDirectory(dir.Path(), kNow, false);
  ASSERT_TRUE(set.has_value()) << set.error().detail;
  EXPECT_EQ(domain::SigningKeyAt(set->ring, kNow)->kid, rotation->kid);
  auto published = platform::auth::VerifyingKey::FromJwks(Read(dir / "jwks.json"));
  ASSERT_TRUE(published.has_value());
  ASSERT_EQ(published->size(), 1U);
  EXPECT_EQ((*published)[0].KeyId(), rotation->kid);
}

TEST(KeyDirectory, ARotationOfANewDirectoryCreatesItWithAKeySigningAtOnce) {
  TempDir parent;
  const std::string dir = parent / "keys";
  auto rotation = RotateSigningKey(dir, kNow, kTimes, false);
  ASSERT_TRUE(rotation.has_value()) << rotation.error().detail;
  auto set = LoadKeyDirectory(dir, kNow, false);
  ASSERT_TRUE(set.has_value()) << set.error().detail;
  EXPECT_EQ(domain::SigningKeyAt(set->ring, kNow)->kid, rotation->kid);
}

TEST(KeyDirectory, TwoRotationsNeverInterleave) {
  TempDir dir;
  ASSERT_TRUE(LoadKeyDirectory(dir.Path(), kNow, true).has_value());
  const int held = ::open(dir.Path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX | LOCK_NB), 0);  // as a rotation in another process holds it
  auto refused = RotateSigningKey(dir.Path(), kNow, kTimes, false);
  ::close(held);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().detail.find("another rotation"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "keyring.json"));
  EXPECT_TRUE(RotateSigningKey(dir.Path(), kNow, kTimes, false).has_value());
}

TEST(KeyDirectory, ARotationRefusesToBuildOnAMalformedRing) {
  TempDir dir;
  Write(dir / "keyring.json", "{");
  auto rotation = RotateSigningKey(dir.Path(), kNow, kTimes, false);
  ASSERT_FALSE(rotation.has_value());
  EXPECT_NE(rotation.error().detail.find("keyring.json"), std::string::npos);
  EXPECT_EQ(Read(dir / "keyring.json"), "{");
}

TEST(KeyDirectory, PublishedJwksIsReplacedWholeAndRetiredFilesGo) {
  TempDir dir;
  auto written = PublishJwks(dir.Path(), R"({"keys":[]})");
  ASSERT_TRUE(written.has_value()) << written.error().detail;
  EXPECT_EQ(*written, JwksFile::kWritten);
  EXPECT_EQ(Read(dir / "jwks.json"), R"({"keys":[]})");
  EXPECT_EQ(Mode(dir / "jwks.json"), 0644U);

  Write(dir / "a.pem", "x");
  Write(dir / "b.pem", "y");
  const domain::KeyRing ring{{{"a", "a.pem", 0, kNow}, {"b", "b.pem", kNow - 10, std::nullopt}}};
  EXPECT_EQ(DeleteRetiredKeyFiles(dir.Path(), ring, kNow - 1), std::vector<std::string>{});
  EXPECT_EQ(DeleteRetiredKeyFiles(dir.Path(), ring, kNow), std::vector<std::string>{"a.pem"});
  EXPECT_EQ(DeleteRetiredKeyFiles(dir.Path(), ring, kNow), std::vector<std::string>{});
  EXPECT_TRUE(fs::exists(dir / "b.pem"));
}

}  // namespace
}  // namespace identity::infra
