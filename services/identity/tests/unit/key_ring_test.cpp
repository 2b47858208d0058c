// The signing-key ring's rules: which key signs at a time, which are published, what a planned
// and an emergency rotation make of a ring, and which rings are refused.

#include "domain/key_ring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace identity::domain {
namespace {

constexpr std::int64_t kNow = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr RotationTimes kTimes{/*activation_delay=*/300, /*access_ttl=*/900};

RingKey Key(std::string kid, std::int64_t activate_at,
            std::optional<std::int64_t> retire_at = std::nullopt) {
  return RingKey{kid, "key-" + kid + ".pem", activate_at, retire_at};
}

std::string SignerKid(const KeyRing& ring, std::int64_t at) {
  const auto* key = SigningKeyAt(ring, at);
  return key == nullptr ? "(none)" : key->kid;
}

std::vector<std::string> Kids(const std::vector<RingKey>& keys) {
  std::vector<std::string> out;
  for (const auto& key : keys) out.push_back(key.kid);
  std::sort(out.begin(), out.end());
  return out;
}

const RingKey& Find(const KeyRing& ring, const std::string& kid) {
  for (const auto& key : ring.keys) {
    if (key.kid == kid) return key;
  }
  throw std::logic_error("no key " + kid);
}

std::string RefusalOf(const KeyRing& ring, std::int64_t now = kNow) {
  auto valid = ValidateRing(ring, now);
  return valid ? "(valid)" : valid.error().detail;
}

TEST(KeyRing, TheLegacyKeySignsSinceForeverAndIsAlwaysPublished) {
  const KeyRing ring = LegacyRing("old", "identity-ed25519.pem");
  for (std::int64_t at : {std::int64_t{0}, kNow, std::int64_t{253'402'300'799}}) {
    EXPECT_EQ(SignerKid(ring, at), "old") << at;
    EXPECT_EQ(Kids(PublishedAt(ring, at)), std::vector<std::string>{"old"}) << at;
    EXPECT_TRUE(RetiredAt(ring, at).empty()) << at;
  }
  EXPECT_EQ(ring.keys[0].file, "identity-ed25519.pem");
  EXPECT_EQ(RefusalOf(ring), "(valid)");
}

TEST(KeyRing, APlannedRotationPublishesTheNewKeyFirstAndRetiresTheOldOneAfterItsTokens) {
  const KeyRing ring =
      Rotate(LegacyRing("old", "identity-ed25519.pem"), Key("new", 0), kNow, kTimes);
  ASSERT_EQ(ring.keys.size(), 2U);
  const std::int64_t activate_at = kNow + 300;
  const std::int64_t retire_at = activate_at + 900 + kRetireMarginSeconds;
  EXPECT_EQ(Find(ring, "new").activate_at, activate_at);
  EXPECT_EQ(Find(ring, "new").retire_at, std::nullopt);
  EXPECT_EQ(Find(ring, "old").retire_at, retire_at);
  EXPECT_EQ(RefusalOf(ring), "(valid)");

  // Published at once, signing only once every verifier has had time to fetch it.
  EXPECT_EQ(Kids(PublishedAt(ring, kNow)), (std::vector<std::string>{"new", "old"}));
  EXPECT_EQ(SignerKid(ring, kNow), "old");
  EXPECT_EQ(SignerKid(ring, activate_at - 1), "old");
  EXPECT_EQ(SignerKid(ring, activate_at), "new");
  // The old key stays published until the last token it signed (at activate_at - 1) expired.
  EXPECT_EQ(Kids(PublishedAt(ring, retire_at - 1)), (std::vector<std::string>{"new", "old"}));
  EXPECT_GT(retire_at - 1, activate_at - 1 + 900);
  EXPECT_EQ(Kids(PublishedAt(ring, retire_at)), std::vector<std::string>{"new"});
  EXPECT_EQ(Kids(RetiredAt(ring, retire_at)), std::vector<std::string>{"old"});
  EXPECT_EQ(SignerKid(ring, retire_at), "new");
}

TEST(KeyRing, ARotationBeforeThePreviousOneHasFinishedChainsThem) {
  const KeyRing first = Rotate(LegacyRing("a", "identity-ed25519.pem"), Key("b", 0), kNow, kTimes);
  const KeyRing second = Rotate(first, Key("c", 0), kNow + 10, kTimes);
  ASSERT_EQ(second.keys.size(), 3U);
  EXPECT_EQ(RefusalOf(second, kNow + 10), "(valid)");
  // a keeps the retirement of the first rotation; b, which signs from kNow + 300 until c does
  // at kNow + 310, retires after its own last tokens.
  EXPECT_EQ(Find(second, "a").retire_at, kNow + 300 + 900 + kRetireMarginSeconds);
  EXPECT_EQ(Find(second, "b").retire_at, kNow + 310 + 900 + kRetireMarginSeconds);
  EXPECT_EQ(SignerKid(second, kNow + 299), "a");
  EXPECT_EQ(SignerKid(second, kNow + 300), "b");
  EXPECT_EQ(SignerKid(second, kNow + 310), "c");
}

TEST(KeyRing, AKeyThatWouldSignOnlyAfterTheNewOneIsDropped) {
  // b was to sign in 300 s; a rotation with no delay makes c sign first, so b never would.
  const KeyRing first = Rotate(LegacyRing("a", "identity-ed25519.pem"), Key("b", 0), kNow, kTimes);
  const KeyRing second = Rotate(first, Key("c", 0), kNow + 1, RotationTimes{0, 900});
  EXPECT_EQ(Kids(second.keys), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(RefusalOf(second, kNow + 1), "(valid)");
  EXPECT_EQ(SignerKid(second, kNow + 1), "c");
}

TEST(KeyRing, ARotationDropsTheKeysRetiredByThen) {
  const KeyRing first = Rotate(LegacyRing("a", "identity-ed25519.pem"), Key("b", 0), kNow, kTimes);
  const std::int64_t later = *Find(first, "a").retire_at;
  const KeyRing second = Rotate(first, Key("c", 0), later, kTimes);
  EXPECT_EQ(Kids(second.keys), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(Find(second, "b").retire_at, later + 300 + 900 + kRetireMarginSeconds);
}

TEST(KeyRing, TheFirstKeyOfAnEmptyRingSignsAtOnce) {
  const KeyRing ring = Rotate(KeyRing{}, Key("first", 0), kNow, kTimes);
  ASSERT_EQ(ring.keys.size(), 1U);
  EXPECT_EQ(SignerKid(ring, kNow), "first");
  EXPECT_EQ(RefusalOf(ring), "(valid)");
}

TEST(KeyRing, AnEmergencyRotationSignsAtOnceAndDropsEveryOtherKey) {
  const KeyRing planned =
      Rotate(LegacyRing("a", "identity-ed25519.pem"), Key("b", 0), kNow, kTimes);
  const KeyRing ring = RotateNow(Key("c", 0), kNow + 5);
  EXPECT_EQ(Kids(ring.keys), std::vector<std::string>{"c"});
  EXPECT_EQ(SignerKid(ring, kNow + 5), "c");
  EXPECT_EQ(RefusalOf(ring, kNow + 5), "(valid)");
  EXPECT_EQ(Kids(PublishedAt(planned, kNow + 5)), (std::vector<std::string>{"a", "b"}));
}

TEST(KeyRing, KeysActivatedAtTheSameSecondAreTiedByKidSoEveryReplicaPicksTheSame) {
  KeyRing ring{{Key("m", 100), Key("z", 100), Key("a", 100)}};
  EXPECT_EQ(SignerKid(ring, 100), "z");
  std::reverse(ring.keys.begin(), ring.keys.end());
  EXPECT_EQ(SignerKid(ring, 100), "z");
}

TEST(KeyRing, NoKeySignsBeforeItsActivationNorAfterItsRetirement) {
  const KeyRing ring{{Key("a", 100, 200)}};
  EXPECT_EQ(SignerKid(ring, 99), "(none)");
  EXPECT_EQ(SignerKid(ring, 100), "a");
  EXPECT_EQ(SignerKid(ring, 199), "a");
  EXPECT_EQ(SignerKid(ring, 200), "(none)");
  EXPECT_TRUE(IsPublished(ring.keys[0], 50));  // a key to come is published already
  EXPECT_FALSE(IsPublished(ring.keys[0], 200));
}

TEST(KeyRing, RingsThatCannotSignOrNameKeysBadlyAreRefusedSayingWhy) {
  EXPECT_NE(RefusalOf(KeyRing{}).find("has no keys"), std::string::npos);
  EXPECT_NE(RefusalOf(KeyRing{{Key("a", 0), Key("a", 10)}}).find("kid a appears more than once"),
            std::string::npos);
  EXPECT_NE(RefusalOf(KeyRing{{RingKey{"bad kid", "k.pem", 0, {}}}}).find("base64url"),
            std::string::npos);
  EXPECT_NE(RefusalOf(KeyRing{{RingKey{std::string(65, 'k'), "k.pem", 0, {}}}}).find("base64url"),
            std::string::npos);
  for (const char* file : {"", "../k.pem", "sub/k.pem", ".hidden.pem", "k pem"}) {
    EXPECT_NE(RefusalOf(KeyRing{{RingKey{"a", file, 0, {}}}}).find("not a plain file name"),
              std::string::npos)
        << file;
  }
  EXPECT_NE(RefusalOf(KeyRing{{RingKey{"a", "k.pem", 0, {}}, RingKey{"b", "k.pem", 5, {}}}})
                .find("named by more than one key"),
            std::string::npos);
  EXPECT_NE(RefusalOf(KeyRing{{Key("a", 0), Key("b", 50, 50)}}).find("retires"), std::string::npos);
  // Every key retired, none yet active, or a gap between one key's end and the next's start.
  EXPECT_NE(RefusalOf(KeyRing{{Key("a", 0, kNow)}}).find("no key signs at 2026-01-01T00:00:00"),
            std::string::npos);
  EXPECT_NE(RefusalOf(KeyRing{{Key("a", kNow + 1)}}).find("no key signs at"), std::string::npos);
  EXPECT_NE(RefusalOf(KeyRing{{Key("a", 0, kNow + 100), Key("b", kNow + 200)}})
                .find("no key signs at 2026-01-01T00:01:40"),
            std::string::npos);
  // Covered from now on by a chain of keys: accepted.
  EXPECT_EQ(RefusalOf(KeyRing{
                {Key("a", 0, kNow + 100), Key("b", kNow + 50, kNow + 300), Key("c", kNow + 250)}}),
            "(valid)");
}

TEST(KeyRing, KeyIdsAndFileNamesAreCheckedCharacterByCharacter) {
  EXPECT_TRUE(IsValidKeyId("Ab-_09"));
  EXPECT_FALSE(IsValidKeyId(""));
  EXPECT_FALSE(IsValidKeyId("a=b"));
  EXPECT_TRUE(IsValidKeyFileName("identity-ed25519.pem"));
  EXPECT_TRUE(IsValidKeyFileName("key-Ab_09.pem"));
  EXPECT_FALSE(IsValidKeyFileName(".."));
  EXPECT_FALSE(IsValidKeyFileName("a/b"));
  EXPECT_FALSE(IsValidKeyFileName(std::string(129, 'a')));
}

}  // namespace
}  // namespace identity::domain
