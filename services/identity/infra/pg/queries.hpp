#pragma once
// Every SQL statement of the identity service, named and parameterised.

#include "platform/pg/connection.hpp"

namespace identity::infra::queries {

using platform::pg::Query;

// The user's columns in the order ReadUser expects, timestamps already in API format.
#define IDENTITY_USER_COLUMNS                                                              \
  "id::text, email, name, timezone, default_task_ttl_seconds, "                            \
  "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "          \
  "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), version, " \
  "password_hash"

inline constexpr Query kInsertUser{
    "identity_insert_user",
    "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) "
    // A taken email inserts nothing (no row back) instead of raising a unique violation,
    // whose DETAIL line would write the email into PostgreSQL's log.
    "VALUES ($1, $2, $3, $4, now(), now()) ON CONFLICT DO NOTHING "
    "RETURNING " IDENTITY_USER_COLUMNS};
inline constexpr Query kUserByEmail{"identity_user_by_email",
                                    "SELECT " IDENTITY_USER_COLUMNS " FROM users WHERE email = $1"};
inline constexpr Query kUserById{"identity_user_by_id",
                                 "SELECT " IDENTITY_USER_COLUMNS " FROM users WHERE id = $1"};
inline constexpr Query kUpdateProfile{
    "identity_update_profile",
    "UPDATE users SET name = COALESCE($2, name), timezone = COALESCE($3, timezone), "
    "default_task_ttl_seconds = CASE WHEN $4 THEN $5::bigint ELSE default_task_ttl_seconds END, "
    "updated_at = now(), version = version + 1 WHERE id = $1 RETURNING " IDENTITY_USER_COLUMNS};
inline constexpr Query kUpdatePassword{
    "identity_update_password",
    // updated_at stays: it belongs to the public state, which a password change does not touch
    // (and which only changes together with a todo.user.updated event).
    "UPDATE users SET password_hash = $2 WHERE id = $1"};
inline constexpr Query kLockUser{"identity_lock_user",
                                 "SELECT 1 FROM users WHERE id = $1 FOR UPDATE"};
inline constexpr Query kDeleteUser{"identity_delete_user",
                                   "DELETE FROM users WHERE id = $1 RETURNING version"};

inline constexpr Query kInsertFamily{"identity_insert_family",
                                     "INSERT INTO session_families (id, user_id, expires_at) "
                                     "VALUES ($1, $2, now() + make_interval(secs => $3::bigint))"};
inline constexpr Query kInsertRefreshToken{
    "identity_insert_refresh_token",
    "INSERT INTO refresh_tokens (token_hash, family_id, expires_at) "
    "VALUES ($1, $2, LEAST(now() + make_interval(secs => $3::bigint), "
    "(SELECT expires_at FROM session_families WHERE id = $2)))"};
// Locks the presented token's row so two concurrent refreshes cannot both rotate it.
inline constexpr Query kLockRefreshToken{
    "identity_lock_refresh_token",
    "SELECT t.family_id::text, f.user_id::text, t.used_at IS NOT NULL, "
    "f.revoked_at IS NOT NULL, t.expires_at <= now() OR f.expires_at <= now() "
    "FROM refresh_tokens t JOIN session_families f ON f.id = t.family_id "
    "WHERE t.token_hash = $1 FOR UPDATE OF t"};
inline constexpr Query kMarkRefreshTokenUsed{
    "identity_mark_refresh_token_used",
    "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1"};
// Every statement that ends sessions returns them in the order ReadEndedSessions expects, so
// that each one's todo.session.revoked event is committed with it.
#define IDENTITY_ENDED_SESSION_COLUMNS \
  "id::text, user_id::text, (extract(epoch FROM revoked_at) * 1000)::bigint"

inline constexpr Query kRevokeFamily{
    "identity_revoke_family",
    "UPDATE session_families SET revoked_at = now(), revoked_reason = $2 "
    "WHERE id = $1 AND revoked_at IS NULL RETURNING " IDENTITY_ENDED_SESSION_COLUMNS};
inline constexpr Query kEndSessions{
    "identity_end_sessions",
    "UPDATE session_families SET revoked_at = now(), revoked_reason = 'logout' "
    "WHERE user_id = $1 AND revoked_at IS NULL AND (id::text = $2 OR id = "
    "(SELECT family_id FROM refresh_tokens WHERE token_hash = $3)) "
    "RETURNING " IDENTITY_ENDED_SESSION_COLUMNS};
inline constexpr Query kRevokeOtherFamilies{
    "identity_revoke_other_families",
    "UPDATE session_families SET revoked_at = now(), revoked_reason = 'password-change' "
    "WHERE user_id = $1 AND revoked_at IS NULL AND id::text <> $2 "
    "RETURNING " IDENTITY_ENDED_SESSION_COLUMNS};
// The account's deletion ends them (the rows go with the user), at the transaction's now().
inline constexpr Query kLiveFamilies{
    "identity_live_families",
    "SELECT id::text, user_id::text, (extract(epoch FROM now()) * 1000)::bigint "
    "FROM session_families WHERE user_id = $1 AND revoked_at IS NULL"};

#undef IDENTITY_ENDED_SESSION_COLUMNS

#undef IDENTITY_USER_COLUMNS

}  // namespace identity::infra::queries
