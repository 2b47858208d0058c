#pragma once
// The signing-key ring: which of identity's keys signs access tokens at a given time, which are
// published (JWKS) for the verifiers, and how a rotation changes the ring so that nobody is
// logged out. A new key is published for a while before it signs (every verifier fetches it
// first), and the key it replaces stays published until the last token it signed has expired.
// Pure rules over times in Unix seconds; infra reads and writes the ring file.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace identity::domain {

// What a retirement waits for beyond the access-token lifetime: clocks that differ between
// hosts, and a replica that reads a changed key directory a little late.
inline constexpr std::int64_t kRetireMarginSeconds = 60;

// RingKey: one signing key, named by its `kid`; its private key is `file` in the key directory.
struct RingKey {
  std::string kid;
  std::string file;
  std::int64_t activate_at = 0;  // signs from then on (Unix seconds), until a newer key does
  std::optional<std::int64_t> retire_at;  // published until then; none: for good
};

// KeyRing: the keys, in no particular order.
struct KeyRing {
  std::vector<RingKey> keys;
};

// Whether `key` is published at `now`: until its retire_at (a key that will sign later is
// published already).
bool IsPublished(const RingKey& key, std::int64_t now);

// The key that signs at `now`: of the published keys active by then, the one activated last
// (the greater kid on a tie, so that every replica picks the same); nullptr when none is.
const RingKey* SigningKeyAt(const KeyRing& ring, std::int64_t now);

// The keys published at `now`, and those retired by then (whose private keys can go).
std::vector<RingKey> PublishedAt(const KeyRing& ring, std::int64_t now);
std::vector<RingKey> RetiredAt(const KeyRing& ring, std::int64_t now);

// Whether `kid` is a key id this ring accepts: 1-64 base64url characters (what SigningKey makes).
bool IsValidKeyId(std::string_view kid);
// Whether `file` is a plain file name in the key directory: 1-128 of [A-Za-z0-9._-], not hidden.
bool IsValidKeyFileName(std::string_view file);

// What a ring must be: at least one key; key ids valid and distinct; file names plain and
// distinct; each retire_at after its activate_at; and some key signing at every time from `now`
// on. The error (kInternal) says what is wrong, naming the key.
platform::Result<void> ValidateRing(const KeyRing& ring, std::int64_t now);

// The ring of a key directory from before rings: its one key, signing since forever.
KeyRing LegacyRing(std::string kid, std::string file);

// RotationTimes: how a planned rotation spaces its steps.
struct RotationTimes {
  // From the rotation to the new key's first token: longer than it takes every verifier to
  // fetch the new JWKS (and every identity replica to read the changed key directory).
  std::int64_t activation_delay = 0;
  // The access tokens' lifetime: a replaced key stays published that long after it stopped
  // signing, plus kRetireMarginSeconds.
  std::int64_t access_ttl = 0;
};

// The ring after a planned rotation at `now` to `next` (its kid and file): `next` signs from
// now + activation_delay; every key without a retire_at retires at that time + access_ttl +
// kRetireMarginSeconds; keys retired by `now`, and keys of an earlier rotation that would only
// sign after `next`, are dropped. A ring with no published key (a new key directory) gets `next`
// signing at once: nobody holds a token yet.
KeyRing Rotate(const KeyRing& ring, RingKey next, std::int64_t now, const RotationTimes& times);

// The ring after an emergency rotation (a leaked key): `next` signs from `now` and every other
// key is gone at once, so their tokens are refused (clients get new ones with their refresh
// tokens) and a verifier refuses the new key's tokens until it has fetched the new JWKS.
KeyRing RotateNow(RingKey next, std::int64_t now);

}  // namespace identity::domain
