#pragma once
// keyring.json, the key directory's list of signing keys (domain/key_ring.hpp): each key's kid,
// its private key's file, when it starts signing and when it stops being published.
//
//   {
//     "version": 1,
//     "keys": [
//       {"kid":"…","file":"identity-ed25519.pem","activate_at":"1970-01-01T00:00:00.000Z","retire_at":"2026-05-01T10:21:00.000Z"},
//       {"kid":"…","file":"key-….pem","activate_at":"2026-05-01T10:05:00.000Z","retire_at":null}
//     ]
//   }

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/key_ring.hpp"
#include "platform/error.hpp"

namespace identity::infra {

inline constexpr std::string_view kKeyRingFile = "keyring.json";
// The one key of a directory from before rings (and of a new directory until its first rotation).
inline constexpr std::string_view kLegacyKeyFile = "identity-ed25519.pem";

// The ring the file's text describes (times are RFC 3339; fractions of a second are dropped),
// or an error naming every problem ("keyring.json: keys[1].activate_at must be ...").
platform::Result<domain::KeyRing> ParseKeyRing(std::string_view text);

// The file's text for `ring`: one key a line, times in UTC.
std::string FormatKeyRing(const domain::KeyRing& ring);

// A ring time as the file writes it: 2026-05-01T10:05:00.000Z.
std::string RingTime(std::int64_t unix_seconds);

}  // namespace identity::infra
