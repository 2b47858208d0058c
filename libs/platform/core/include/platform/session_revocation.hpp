#pragma once
// SessionRevocation: an ended session as every service must know it (the data of the
// todo.session.revoked event, see platform/auth/session_revoked.hpp for its JSON).

#include <chrono>
#include <string>

#include "platform/time.hpp"

namespace platform {

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

}  // namespace platform
