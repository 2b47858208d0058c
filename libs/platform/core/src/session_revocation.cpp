#include "platform/session_revocation.hpp"

#include <utility>

namespace platform {

SessionRevocation RevocationOf(std::string session_id, std::string user_id, TimePoint revoked_at,
                               std::chrono::seconds access_ttl) {
  return SessionRevocation{std::move(session_id), std::move(user_id), revoked_at,
                           revoked_at + access_ttl + kRevocationMargin};
}

}  // namespace platform
