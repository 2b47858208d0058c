#pragma once
// The todo.session.revoked event: identity publishes one per ended session (through its
// outbox), and every verifying service folds it into its RevocationSet.

#include <chrono>
#include <string>
#include <string_view>

#include "platform/error.hpp"
#include "platform/time.hpp"

namespace platform::auth {

inline constexpr std::string_view kSessionRevokedType = "todo.session.revoked";

// How long after a revocation its event still matters beyond the access-token lifetime: a
// token minted by a refresh that raced with the revocation, and clock skew between services
// (the verifier allows 60 s of `iat` skew), are both covered.
inline constexpr std::chrono::seconds kRevocationMargin{60};

// SessionRevocation: a session (refresh-token family) that ended, and until when any access
// token minted for it could still be presented (then the entry is dropped).
struct SessionRevocation {
  std::string session_id;
  std::string user_id;
  TimePoint revoked_at;
  TimePoint until;
};

// The revocation of a session ended at `revoked_at`, whose access tokens live `access_ttl`.
SessionRevocation RevocationOf(std::string session_id, std::string user_id, TimePoint revoked_at,
                               std::chrono::seconds access_ttl);

// The event's `data`: {session_id, user_id, revoked_at, until}, times in RFC 3339.
std::string SessionRevokedData(const SessionRevocation& revocation);

// Reads a CloudEvents envelope of type todo.session.revoked; anything else is a validation
// error (the caller skips it).
Result<SessionRevocation> ParseSessionRevoked(std::string_view envelope);

}  // namespace platform::auth
