#pragma once
// The events the identity service publishes, all in one place: which change produces which
// type, and what each carries. The store enqueues them in the transaction of their change.
//
//   todo.user.created     a registration          data: the user (infra/json/user_json.hpp)
//   todo.user.updated     a profile change        data: the user
//   todo.user.deleted     the account's deletion  data: {id, version}
//   todo.session.revoked  each ended session      data: platform/auth/session_revoked.hpp

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/user.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/session_revocation.hpp"

namespace identity::infra::events {

// The CloudEvents `source` of every identity event.
inline constexpr std::string_view kSource = "/identity";

inline constexpr std::string_view kUserCreated = "todo.user.created";
inline constexpr std::string_view kUserUpdated = "todo.user.updated";
inline constexpr std::string_view kUserDeleted = "todo.user.deleted";

// A registration: the new user's whole public state.
platform::bus::EventDraft UserCreated(const domain::User& user, std::string request_id);
// A profile change: the user's whole public state after it.
platform::bus::EventDraft UserUpdated(const domain::User& user, std::string request_id);
// The account's deletion; `version` is the deleted row's version + 1.
platform::bus::EventDraft UserDeleted(std::string user_id, std::int64_t version,
                                      std::string request_id);
// A session that ended (logout, password change, token reuse, deletion).
platform::bus::EventDraft SessionRevoked(const platform::SessionRevocation& revocation,
                                         std::string request_id);

}  // namespace identity::infra::events
