#pragma once
// Reading the identity service's rows into structs, by column name (the names the queries in
// queries/*.sql give them); a row of another shape is a pg::RowError naming the column.

#include <chrono>
#include <string>

#include "domain/user.hpp"
#include "platform/pg/connection.hpp"
#include "platform/session_revocation.hpp"

namespace identity::infra {

// LockedRefreshToken: a presented refresh token and its family (lock_refresh_token.sql).
struct LockedRefreshToken {
  std::string family_id;
  std::string user_id;
  bool used = false;
  bool revoked = false;
  bool expired = false;
};

// A user with its password hash (insert_user, user_by_email, user_by_id, update_profile).
platform::pg::RowResult<domain::Credentials> ReadCredentials(const platform::pg::Row& row);
// A session a statement ended (revoke_family, end_sessions, revoke_other_families,
// live_families), with until when its access tokens, living `access_ttl`, must be refused.
platform::pg::RowResult<platform::SessionRevocation> ReadEndedSession(
    const platform::pg::Row& row, std::chrono::seconds access_ttl);
platform::pg::RowResult<LockedRefreshToken> ReadLockedRefreshToken(const platform::pg::Row& row);
// The version a deleted user's row had (delete_user.sql).
platform::pg::RowResult<std::int64_t> ReadDeletedVersion(const platform::pg::Row& row);

}  // namespace identity::infra
