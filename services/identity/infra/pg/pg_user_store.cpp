#include "infra/pg/pg_user_store.hpp"

#include "app/use_cases.hpp"
#include "infra/pg/queries.hpp"
#include "infra/json/user_json.hpp"
#include "platform/auth/session_revoked.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/time.hpp"
#include "platform/uuid.hpp"

// The methods are plain functions returning the pool's awaitable, not coroutines, so their
// lambdas capture ordinary parameters (see platform/offload.hpp for the g++ 12 trap).
namespace identity::infra {

namespace pg = platform::pg;
namespace q = queries;
using platform::Error;
using platform::Result;

namespace {

constexpr std::string_view kSource = "/identity";

using Ended = std::vector<app::SessionRevocation>;

domain::Credentials ReadCredentials(const pg::Rows& rows, int row) {
  domain::Credentials c;
  c.user.id = rows.Text(row, 0);
  c.user.email = rows.Text(row, 1);
  c.user.name = rows.Text(row, 2);
  c.user.timezone = rows.Text(row, 3);
  c.user.default_task_ttl_seconds = rows.OptionalInt(row, 4);
  c.user.created_at = rows.Text(row, 5);
  c.user.updated_at = rows.Text(row, 6);
  c.user.version = rows.Int(row, 7);
  c.password_hash = rows.Text(row, 8);
  return c;
}

Error Db(const pg::DbError& e) { return e.ToError(); }

pg::DbResult<void> Publish(pg::Connection& tx, std::string type, const domain::User& user,
                           std::string data, const std::string& request_id) {
  platform::bus::EventDraft draft{std::move(type), std::string(kSource), user.id,
                                  user.version,    std::move(data),      request_id};
  auto enqueued = platform::bus::EnqueueEvent(tx, draft);
  if (!enqueued) return std::unexpected(enqueued.error());
  return {};
}

pg::DbResult<void> InsertSession(pg::Connection& tx, const std::string& user_id,
                                 const app::NewSession& s) {
  if (auto r = tx.Execute(q::kInsertFamily,
                          {s.family_id, user_id, std::to_string(s.session_max_age.count())});
      !r) {
    return std::unexpected(r.error());
  }
  if (auto r = tx.Execute(q::kInsertRefreshToken,
                          {s.refresh_token_hash, s.family_id, std::to_string(s.lifetime.count())});
      !r) {
    return std::unexpected(r.error());
  }
  return {};
}

// The sessions a statement has just ended (rows: id, user id, revoked_at in ms), each with its
// todo.session.revoked event enqueued in the same transaction: no restart or cache loss can
// forget a revocation that committed.
pg::DbResult<Ended> PublishEnded(pg::Connection& tx, const pg::Rows& rows,
                                 std::chrono::seconds access_ttl, const std::string& request_id) {
  Ended ended;
  std::vector<platform::bus::EventDraft> drafts;
  for (int i = 0; i < rows.Size(); ++i) {
    platform::TimePoint revoked_at{std::chrono::milliseconds(rows.Int(i, 2))};
    ended.push_back(
        platform::RevocationOf(rows.Text(i, 0), rows.Text(i, 1), revoked_at, access_ttl));
    drafts.push_back({std::string(platform::auth::kSessionRevokedType), std::string(kSource),
                      ended.back().session_id, 1, platform::auth::SessionRevokedData(ended.back()),
                      request_id});
  }
  auto enqueued =
      platform::bus::EnqueueEvents(tx, drafts, platform::FormatTimestamp(platform::Clock::now()));
  if (!enqueued) return std::unexpected(enqueued.error());
  return ended;
}

}  // namespace

app::Async<domain::User> PgUserStore::Create(domain::User user, std::string password_hash,
                                             app::NewSession session, std::string request_id) {
  auto work = [=](pg::Connection& conn) -> Result<domain::User> {
    auto result =
        conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<std::optional<domain::User>> {
          auto rows = tx.Execute(q::kInsertUser, {user.id, user.email, user.name, password_hash});
          if (!rows) return std::unexpected(rows.error());
          if (rows->Empty()) return std::optional<domain::User>{};  // the email is taken
          domain::User created = ReadCredentials(*rows, 0).user;
          if (auto s = InsertSession(tx, created.id, session); !s)
            return std::unexpected(s.error());
          if (auto p = Publish(tx, "todo.user.created", created, UserJson(created), request_id);
              !p) {
            return std::unexpected(p.error());
          }
          return std::optional<domain::User>(std::move(created));
        });
    if (!result) return std::unexpected(Db(result.error()));
    if (!*result) return std::unexpected(app::EmailTaken());
    return std::move(**result);
  };
  return pool_.Run(std::move(work));
}

app::Async<std::optional<domain::Credentials>> PgUserStore::FindByEmail(std::string email) {
  auto work = [email](pg::Connection& conn) -> Result<std::optional<domain::Credentials>> {
    auto rows = conn.Execute(q::kUserByEmail, {email});
    if (!rows) return std::unexpected(Db(rows.error()));
    if (rows->Empty()) return std::nullopt;
    return ReadCredentials(*rows, 0);
  };
  return pool_.Run(std::move(work));
}

app::Async<std::optional<domain::Credentials>> PgUserStore::FindById(std::string id) {
  auto work = [id](pg::Connection& conn) -> Result<std::optional<domain::Credentials>> {
    if (!platform::IsUuid(id)) return std::nullopt;
    auto rows = conn.Execute(q::kUserById, {id});
    if (!rows) return std::unexpected(Db(rows.error()));
    if (rows->Empty()) return std::nullopt;
    return ReadCredentials(*rows, 0);
  };
  return pool_.Run(std::move(work));
}

app::Async<void> PgUserStore::OpenSession(std::string user_id, app::NewSession session) {
  auto work = [=](pg::Connection& conn) -> Result<void> {
    auto r = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<void> {
      return InsertSession(tx, user_id, session);
    });
    if (!r) return std::unexpected(Db(r.error()));
    return {};
  };
  return pool_.Run(std::move(work));
}

app::Async<app::RotationOutcome> PgUserStore::Rotate(std::string presented_hash,
                                                     app::NewSession next) {
  auto work = [=, ttl = access_ttl_](pg::Connection& conn) -> Result<app::RotationOutcome> {
    auto r = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<app::RotationOutcome> {
      auto rows = tx.Execute(q::kLockRefreshToken, {presented_hash});
      if (!rows) return std::unexpected(rows.error());
      if (rows->Empty()) return app::RotationOutcome{};
      app::RotationOutcome out;
      out.family_id = rows->Text(0, 0);
      out.user_id = rows->Text(0, 1);
      bool used = rows->Bool(0, 2), revoked = rows->Bool(0, 3), expired = rows->Bool(0, 4);
      if (used || revoked) {
        // Reuse of a rotated token: the whole family goes, whoever holds its newest token.
        auto ended = tx.Execute(q::kRevokeFamily, {out.family_id, "refresh-token-reuse"});
        if (!ended) return std::unexpected(ended.error());
        auto published = PublishEnded(tx, *ended, ttl, "");
        if (!published) return std::unexpected(published.error());
        out.ended = std::move(*published);
        out.kind = app::RotationOutcome::Kind::kReused;
        return out;
      }
      if (expired) return app::RotationOutcome{};
      if (auto m = tx.Execute(q::kMarkRefreshTokenUsed, {presented_hash}); !m) {
        return std::unexpected(m.error());
      }
      if (auto i = tx.Execute(q::kInsertRefreshToken, {next.refresh_token_hash, out.family_id,
                                                       std::to_string(next.lifetime.count())});
          !i) {
        return std::unexpected(i.error());
      }
      out.kind = app::RotationOutcome::Kind::kRotated;
      return out;
    });
    if (!r) return std::unexpected(Db(r.error()));
    return *r;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<app::SessionRevocation>> PgUserStore::EndSessions(
    std::string user_id, std::string family_id, std::string refresh_token_hash,
    std::string request_id) {
  auto work = [=, ttl = access_ttl_](pg::Connection& conn) -> Result<Ended> {
    auto r = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<Ended> {
      auto rows = tx.Execute(q::kEndSessions, {user_id, family_id, refresh_token_hash});
      if (!rows) return std::unexpected(rows.error());
      return PublishEnded(tx, *rows, ttl, request_id);
    });
    if (!r) return std::unexpected(Db(r.error()));
    return *r;
  };
  return pool_.Run(std::move(work));
}

app::Async<domain::User> PgUserStore::Update(std::string user_id, app::ProfileChange change,
                                             std::string request_id) {
  auto work = [=](pg::Connection& conn) -> Result<domain::User> {
    auto r = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<std::optional<domain::User>> {
      pg::Param ttl;
      if (change.default_task_ttl_seconds.value) {
        ttl = std::to_string(*change.default_task_ttl_seconds.value);
      }
      auto rows = tx.Execute(q::kUpdateProfile,
                             {user_id, change.name, change.timezone,
                              change.default_task_ttl_seconds.present ? "true" : "false", ttl});
      if (!rows) return std::unexpected(rows.error());
      if (rows->Empty()) return std::optional<domain::User>{};
      domain::User updated = ReadCredentials(*rows, 0).user;
      if (auto p = Publish(tx, "todo.user.updated", updated, UserJson(updated), request_id); !p) {
        return std::unexpected(p.error());
      }
      return std::optional<domain::User>(updated);
    });
    if (!r) return std::unexpected(Db(r.error()));
    if (!*r) return std::unexpected(Error::NotFound("user not found"));
    return **r;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<app::SessionRevocation>> PgUserStore::ChangePassword(
    std::string user_id, std::string new_hash, std::string keep_family, std::string request_id) {
  auto work = [=, ttl = access_ttl_](pg::Connection& conn) -> Result<Ended> {
    auto r = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<Ended> {
      if (auto u = tx.Execute(q::kUpdatePassword, {user_id, new_hash}); !u) {
        return std::unexpected(u.error());
      }
      auto rows = tx.Execute(q::kRevokeOtherFamilies, {user_id, keep_family});
      if (!rows) return std::unexpected(rows.error());
      return PublishEnded(tx, *rows, ttl, request_id);
    });
    if (!r) return std::unexpected(Db(r.error()));
    return *r;
  };
  return pool_.Run(std::move(work));
}

app::Async<std::vector<app::SessionRevocation>> PgUserStore::Delete(std::string user_id,
                                                                    std::string request_id) {
  auto work = [=, ttl = access_ttl_](pg::Connection& conn) -> Result<Ended> {
    auto r = conn.Transaction([&](pg::Connection& tx) -> pg::DbResult<Ended> {
      // Locked first, so a login that is opening a session now either commits before the
      // families are read (and its session is ended here) or fails for want of the user.
      if (auto locked = tx.Execute(q::kLockUser, {user_id}); !locked) {
        return std::unexpected(locked.error());
      }
      auto live = tx.Execute(q::kLiveFamilies, {user_id});
      if (!live) return std::unexpected(live.error());
      auto deleted = tx.Execute(q::kDeleteUser, {user_id});
      if (!deleted) return std::unexpected(deleted.error());
      if (deleted->Empty()) return Ended{};
      domain::User gone;
      gone.id = user_id;
      gone.version = deleted->Int(0, 0) + 1;
      platform::JsonWriter w;
      w.StartObject();
      w.Field("id", user_id);
      w.Field("version", gone.version);
      w.EndObject();
      if (auto p = Publish(tx, "todo.user.deleted", gone, w.Take(), request_id); !p) {
        return std::unexpected(p.error());
      }
      return PublishEnded(tx, *live, ttl, request_id);
    });
    if (!r) return std::unexpected(Db(r.error()));
    return *r;
  };
  return pool_.Run(std::move(work));
}

}  // namespace identity::infra
