#pragma once
// The todo.session.revoked event: identity publishes one per ended session (through its
// outbox), and every verifying service folds it into its RevocationSet.

#include <chrono>
#include <string>
#include <string_view>

#include "platform/error.hpp"
#include "platform/session_revocation.hpp"
#include "platform/time.hpp"

namespace platform::auth {

inline constexpr std::string_view kSessionRevokedType = "todo.session.revoked";

using platform::kRevocationMargin;
using platform::RevocationOf;
using platform::SessionRevocation;

// The event's `data`: {session_id, user_id, revoked_at, until}, times in RFC 3339.
std::string SessionRevokedData(const SessionRevocation& revocation);

// Reads a CloudEvents envelope of type todo.session.revoked; anything else is a validation
// error (the caller skips it).
Result<SessionRevocation> ParseSessionRevoked(std::string_view envelope);

}  // namespace platform::auth
