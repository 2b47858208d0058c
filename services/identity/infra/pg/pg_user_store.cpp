#include "infra/pg/pg_user_store.hpp"

#include "app/use_cases.hpp"
#include "infra/events/identity_events.hpp"
#include "infra/pg/queries.hpp"
#include "infra/pg/user_rows.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/time.hpp"
#include "platform/try.hpp"
#include "platform/uuid.hpp"

// The methods are plain functions returning the pool's awaitable, not coroutines, so their
// lambdas capture ordinary parameters (see platform/offload.hpp for the g++ 12 trap).
namespace identity::infra {

namespace pg = platform::pg;
namespace q = queries;
using platform::Error;
using platform::Result;

namespace {

using Ended = std::vector<app::SessionRevocation>;

pg::DbResult<void> Publish(pg::Connection& tx, const platform::bus::EventDraft& draft) {
  TODO_TRY_VOID(platform::bus::EnqueueEvent(tx, draft));
  return {};
}

pg::DbResult<void> InsertSession(pg::Connection& tx, const std::string& user_id,
                                 const app::NewSession& s) {
  TODO_TRY_VOID(tx.Execute(q::kInsertFamily,
                           {s.family_id, user_id, std::to_string(s.session_max_age.count())}));
  TODO_TRY_VOID(tx.Execute(q::kInsertRefreshToken, {s.refresh_token_hash, s.family_id,
                                                    std::to_string(s.lifetime.count())}));
  return {};
}

// The sessions a statement has just ended, each with its todo.session.revoked event enqueued
// in the same transaction: no restart or cache loss can forget a revocation that committed.
pg::DbResult<Ended> PublishEnded(pg::Connection& tx, const pg::Rows& rows,
                                 std::chrono::seconds access_ttl, const std::string& request_id) {
  Ended ended;
  std::vector<platform::bus::EventDraft> drafts;
  for (int i = 0; i < rows.Size(); ++i) {
    TODO_TRY(auto revocation, ReadEndedSession(rows.At(i), access_ttl));
    drafts.push_back(events::SessionRevoked(revocation, request_id));
    ended.push_back(std::move(revocation));
  }
  TODO_TRY_VOID(
      platform::bus::EnqueueEvents(tx, drafts, platform::FormatTimestamp(platform::Clock::now())));
  return ended;
}

// The one user a statement returned, if any.
pg::DbResult<std::optional<domain::Credentials>> FirstCredentials(const pg::Rows& rows) {
  if (rows.Empty()) return std::nullopt;
  TODO_TRY(auto credentials, ReadCredentials(rows.At(0)));
  return credentials;
}

}  // namespace

app::Async<domain::User> PgUserStore::Create(domain::User user, std::string password_hash,
                                             app::NewSession session, std::string request_id) {
  auto work = [=](pg::Connection& conn) -> Result<domain::User> {
    auto body = [&](pg::Connection& tx) -> pg::DbResult<std::optional<domain::User>> {
      TODO_TRY(auto rows,
               tx.Execute(q::kInsertUser, {user.id, user.email, user.name, password_hash}));
      TODO_TRY(auto created, FirstCredentials(rows));
      if (!created) return std::optional<domain::User>{};  // the email is taken
      TODO_TRY_VOID(InsertSession(tx, created->user.id, session));
      TODO_TRY_VOID(Publish(tx, events::UserCreated(created->user, request_id)));
      return std::optional<domain::User>(std::move(created->user));
    };
    TODO_TRY(auto created, conn.Transaction(body));
    if (!created) return std::unexpected(app::EmailTaken());
    return std::move(*created);
  };
  return pool_.Run(std::move(work));
}

app::Async<std::optional<domain::Credentials>> PgUserStore::FindByEmail(std::string email) {
  auto work = [email](pg::Connection& conn) -> Result<std::optional<domain::Credentials>> {
    TODO_TRY(auto rows, conn.Execute(q::kUserByEmail, {email}));
    TODO_TRY(auto found, FirstCredentials(rows));
    return found;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::optional<domain::Credentials>> PgUserStore::FindById(std::string id) {
  auto work = [id](pg::Connection& conn) -> Result<std::optional<domain::Credentials>> {
    if (!platform::IsUuid(id)) return std::nullopt;
    TODO_TRY(auto rows, conn.Execute(q::kUserById, {id}));
    TODO_TRY(auto found, FirstCredentials(rows));
    return found;
  };
  return pool_.Run(std::move(work));
}

app::Async<void> PgUserStore::OpenSession(std::string user_id, app::NewSession session) {
  auto work = [=](pg::Connection& conn) -> Result<void> {
    auto body = [&](pg::Connection& tx) -> pg::DbResult<void> {
      return InsertSession(tx, user_id, session);
    };
    return conn.Transaction(body);
  };
  return pool_.Run(std::move(work));
}

app::Async<app::RotationOutcome> PgUserStore::Rotate(std::string presented_hash,
                                                     app::NewSession next) {
  auto work = [=, ttl = access_ttl_](pg::Connection& conn) -> Result<app::RotationOutcome> {
    auto body = [&](pg::Connection& tx) -> pg::DbResult<app::RotationOutcome> {
      TODO_TRY(auto rows, tx.Execute(q::kLockRefreshToken, {presented_hash}));
      if (rows.Empty()) return app::RotationOutcome{};
      TODO_TRY(auto token, ReadLockedRefreshToken(rows.At(0)));
      app::RotationOutcome out;
      out.family_id = token.family_id;
      out.user_id = token.user_id;
      if (token.used || token.revoked) {
        // Reuse of a rotated token: the whole family goes, whoever holds its newest token.
        TODO_TRY(auto ended, tx.Execute(q::kRevokeFamily, {out.family_id, "refresh-token-reuse"}));
        TODO_TRY(out.ended, PublishEnded(tx, ended, ttl, ""));
        out.kind = app::RotationOutcome::Kind::kReused;
        return out;
      }
      if (token.expired) return app::RotationOutcome{};
      TODO_TRY_VOID(tx.Execute(q::kMarkRefreshTokenUsed, {presented_hash}));
      TODO_TRY_VOID(tx.Execute(q::kInsertRefreshToken, {next.refresh_token_hash, out.family_id,
                                                        std::to_string(next.lifetime.count())}));
      out.kind = app::RotationOutcome::Kind::kRotated;
      return out;
    };
    return conn.Transaction(body);
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<app::SessionRevocation>> PgUserStore::EndSessions(
    std::string user_id, std::string family_id, std::string refresh_token_hash,
    std::string request_id) {
  auto work = [=, ttl = access_ttl_](pg::Connection& conn) -> Result<Ended> {
    auto body = [&](pg::Connection& tx) -> pg::DbResult<Ended> {
      TODO_TRY(auto rows, tx.Execute(q::kEndSessions, {user_id, family_id, refresh_token_hash}));
      return PublishEnded(tx, rows, ttl, request_id);
    };
    return conn.Transaction(body);
  };
  return pool_.Run(std::move(work));
}

app::Async<domain::User> PgUserStore::Update(std::string user_id, app::ProfileChange change,
                                             std::string request_id) {
  auto work = [=](pg::Connection& conn) -> Result<domain::User> {
    auto body = [&](pg::Connection& tx) -> pg::DbResult<std::optional<domain::User>> {
      pg::Param ttl;
      if (change.default_task_ttl_seconds.value) {
        ttl = std::to_string(*change.default_task_ttl_seconds.value);
      }
      TODO_TRY(auto rows,
               tx.Execute(q::kUpdateProfile,
                          {user_id, change.name, change.timezone,
                           change.default_task_ttl_seconds.present ? "true" : "false", ttl}));
      TODO_TRY(auto updated, FirstCredentials(rows));
      if (!updated) return std::optional<domain::User>{};
      TODO_TRY_VOID(Publish(tx, events::UserUpdated(updated->user, request_id)));
      return std::optional<domain::User>(std::move(updated->user));
    };
    TODO_TRY(auto updated, conn.Transaction(body));
    if (!updated) return std::unexpected(Error::NotFound("user not found"));
    return std::move(*updated);
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<app::SessionRevocation>> PgUserStore::ChangePassword(
    std::string user_id, std::string new_hash, std::string keep_family, std::string request_id) {
  auto work = [=, ttl = access_ttl_](pg::Connection& conn) -> Result<Ended> {
    auto body = [&](pg::Connection& tx) -> pg::DbResult<Ended> {
      TODO_TRY_VOID(tx.Execute(q::kUpdatePassword, {user_id, new_hash}));
      TODO_TRY(auto rows, tx.Execute(q::kRevokeOtherFamilies, {user_id, keep_family}));
      return PublishEnded(tx, rows, ttl, request_id);
    };
    return conn.Transaction(body);
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<app::SessionRevocation>> PgUserStore::Delete(std::string user_id,
                                                                    std::string request_id) {
  auto work = [=, ttl = access_ttl_](pg::Connection& conn) -> Result<Ended> {
    auto body = [&](pg::Connection& tx) -> pg::DbResult<Ended> {
      // Locked first, so a login that is opening a session now either commits before the
      // families are read (and its session is ended here) or fails for want of the user.
      TODO_TRY_VOID(tx.Execute(q::kLockUser, {user_id}));
      TODO_TRY(auto live, tx.Execute(q::kLiveFamilies, {user_id}));
      TODO_TRY(auto deleted, tx.Execute(q::kDeleteUser, {user_id}));
      if (deleted.Empty()) return Ended{};
      TODO_TRY(auto version, ReadDeletedVersion(deleted.At(0)));
      TODO_TRY_VOID(Publish(tx, events::UserDeleted(user_id, version + 1, request_id)));
      return PublishEnded(tx, live, ttl, request_id);
    };
    return conn.Transaction(body);
  };
  return pool_.Run(std::move(work));
}

}  // namespace identity::infra
