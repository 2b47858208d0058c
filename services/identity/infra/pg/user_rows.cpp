#include "infra/pg/user_rows.hpp"

#include <utility>

#include "platform/try.hpp"

namespace identity::infra {

namespace pg = platform::pg;

pg::RowResult<domain::Credentials> ReadCredentials(const pg::Row& row) {
  domain::Credentials c;
  TODO_TRY(c.user.id, row.Text("id"));
  TODO_TRY(c.user.email, row.Text("email"));
  TODO_TRY(c.user.name, row.Text("name"));
  TODO_TRY(c.user.timezone, row.Text("timezone"));
  TODO_TRY(c.user.default_task_ttl_seconds, row.OptionalInt("default_task_ttl_seconds"));
  TODO_TRY(c.user.created_at, row.Text("created_at"));
  TODO_TRY(c.user.updated_at, row.Text("updated_at"));
  TODO_TRY(c.user.version, row.Int("version"));
  TODO_TRY(c.password_hash, row.Text("password_hash"));
  return c;
}

pg::RowResult<platform::SessionRevocation> ReadEndedSession(const pg::Row& row,
                                                            std::chrono::seconds access_ttl) {
  TODO_TRY(auto session_id, row.Text("session_id"));
  TODO_TRY(auto user_id, row.Text("user_id"));
  TODO_TRY(auto revoked_at_ms, row.Int("revoked_at_ms"));
  platform::TimePoint revoked_at{std::chrono::milliseconds(revoked_at_ms)};
  return platform::RevocationOf(std::move(session_id), std::move(user_id), revoked_at, access_ttl);
}

pg::RowResult<LockedRefreshToken> ReadLockedRefreshToken(const pg::Row& row) {
  LockedRefreshToken t;
  TODO_TRY(t.family_id, row.Text("family_id"));
  TODO_TRY(t.user_id, row.Text("user_id"));
  TODO_TRY(t.used, row.Bool("used"));
  TODO_TRY(t.revoked, row.Bool("revoked"));
  TODO_TRY(t.expired, row.Bool("expired"));
  return t;
}

pg::RowResult<std::int64_t> ReadDeletedVersion(const pg::Row& row) { return row.Int("version"); }

}  // namespace identity::infra
