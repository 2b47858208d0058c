#pragma once
// The identity service's key directory (TODO_KEY_DIR): the private signing keys, keyring.json
// naming when each signs and stops being published (key_ring_file.hpp), and jwks.json, from which
// verifiers on this host (tasks, progress) read the public keys instead of calling identity.
// A directory from before rings holds one key, identity-ed25519.pem, and no keyring.json; it
// works as it did (that key signs since forever) until its first rotation writes a ring.
//
// Several identity replicas may share the directory (a shared volume, a Kubernetes Secret
// mounted read-only): only a rotation writes the ring and the keys; a replica reads them, and
// writes jwks.json and deletes retired keys' files where the directory lets it.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "domain/key_ring.hpp"
#include "platform/auth/jwt.hpp"
#include "platform/error.hpp"

namespace identity::infra {

inline constexpr std::string_view kJwksFile = "jwks.json";

// KeySet: what a key directory holds at a time: its ring, and the private keys of the keys
// published then, by kid.
struct KeySet {
  domain::KeyRing ring;
  std::map<std::string, platform::auth::SigningKey, std::less<>> keys;
  bool legacy = false;  // no keyring.json: the directory's one key, signing since forever
};

// Reads `dir` at `now`: keyring.json and the private key of every key it publishes then (each
// checked to be the key its kid names), or, without a ring, the one legacy key, created when
// `create_first` and the directory holds no key at all (the first start). The ring must pass
// domain::ValidateRing. The error names the file and what is wrong, never key material.
platform::Result<KeySet> LoadKeyDirectory(const std::string& dir, std::int64_t now,
                                          bool create_first);

// Whether PublishJwks wrote the file.
enum class JwksFile { kWritten, kReadOnly };

// Writes `jwks` to dir/jwks.json (mode 0644: it is public) through a temporary file of its own
// and a rename, so a reader never sees half a file, nor halves of two replicas' writes. A
// read-only directory (a mounted Secret) is kReadOnly, not an error: the JWKS is served over
// HTTP only then.
platform::Result<JwksFile> PublishJwks(const std::string& dir, std::string_view jwks);

// Deletes the files of the ring's keys that are retired at `now`, where the directory allows
// it (read-only, or already gone: nothing to do). Returns the names it deleted.
std::vector<std::string> DeleteRetiredKeyFiles(const std::string& dir, const domain::KeyRing& ring,
                                               std::int64_t now);

// Rotation: what RotateSigningKey did.
struct Rotation {
  domain::KeyRing before;  // the legacy ring for a directory from before rings
  domain::KeyRing after;
  std::string kid;                   // the new key's
  std::vector<std::string> deleted;  // files of keys that left the ring
};

// Rotates the signing key in `dir` (created if missing) at `now`: writes a new private key
// (0600; a temporary file renamed to key-<kid>.pem, fsynced), then the ring that
// domain::Rotate (or domain::RotateNow when `at_once`) makes (0600, the same way), then
// jwks.json with the keys published now, then deletes the files of keys no longer in the ring.
// An exclusive lock on the directory keeps two rotations from interleaving; a replica reading
// meanwhile sees the old ring or the new one, each with its key files in place.
platform::Result<Rotation> RotateSigningKey(const std::string& dir, std::int64_t now,
                                            const domain::RotationTimes& times, bool at_once);

}  // namespace identity::infra
