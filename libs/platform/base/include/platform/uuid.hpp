#pragma once
// UUIDv7: time-ordered ids for entities and events (RFC 9562).

#include <string>
#include <string_view>

namespace platform {

// A new UUIDv7 in canonical lower-case form.
std::string NewUuidV7();
// A UUIDv7 from a fast per-thread generator: unique, not secret (request ids).
std::string NewRequestId();
// True for a canonical 8-4-4-4-12 hex UUID string (any version).
bool IsUuid(std::string_view text);
// 32 random bytes, base64url: for opaque secrets such as refresh tokens.
std::string RandomToken();

}  // namespace platform
