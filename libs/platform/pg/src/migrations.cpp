#include "platform/pg/migrations.hpp"

#include <algorithm>

#include "platform/log.hpp"
#include "platform/try.hpp"

namespace platform::pg {
namespace {

constexpr Query kLock{"migrations_lock", "SELECT pg_advisory_lock(hashtext($1))"};
constexpr Query kUnlock{"migrations_unlock", "SELECT pg_advisory_unlock(hashtext($1))"};
constexpr Query kApplied{"migrations_applied",
                         "SELECT name, checksum FROM schema_migrations WHERE scope = $1"};
constexpr Query kRecord{"migrations_record",
                        "INSERT INTO schema_migrations (scope, name, checksum) "
                        "VALUES ($1, $2, md5($3))"};
constexpr Query kChecksum{"migrations_checksum", "SELECT md5($1)"};

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " scope text NOT NULL, name text NOT NULL, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (scope, name))";

}  // namespace

std::vector<Migration> MigrationsFrom(
    const std::vector<std::pair<std::string_view, std::string_view>>& files) {
  std::vector<Migration> out;
  out.reserve(files.size());
  for (const auto& [name, sql] : files) out.push_back({std::string(name), std::string(sql)});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

DbResult<int> Migrate(Connection& conn, std::string_view scope,
                      const std::vector<Migration>& migrations) {
  Params scope_param{std::string(scope)};
  // Session-level lock, one for the whole database so that even the CREATE TABLE below never
  // races: held across the per-migration transactions.
  const Params lock_key{std::string("schema_migrations")};
  TODO_TRY_VOID(conn.Execute(kLock, lock_key));
  auto run = [&]() -> DbResult<int> {
    TODO_TRY_VOID(conn.ExecuteScript(kCreateTable));
    TODO_TRY(Rows applied, conn.Execute(kApplied, scope_param));
    int count = 0;
    for (const auto& m : migrations) {
      std::optional<std::string> recorded;
      for (int i = 0; i < applied.Size(); ++i) {
        TODO_TRY(std::string name, applied.At(i).Text("name"));
        if (name == m.name) {
          TODO_TRY(recorded, applied.At(i).Text("checksum"));
        }
      }
      if (recorded) {
        TODO_TRY(Rows sum, conn.Execute(kChecksum, {m.sql}));
        TODO_TRY(std::string checksum, sum.At(0).Text("md5"));
        if (checksum != *recorded) {
          return std::unexpected(
              DbError{"", "migration " + m.name + " changed after it was applied"});
        }
        continue;
      }
      auto done = conn.Transaction([&](Connection& tx) -> DbResult<void> {
        TODO_TRY_VOID(tx.ExecuteScript(m.sql));
        TODO_TRY_VOID(tx.Execute(kRecord, {std::string(scope), m.name, m.sql}));
        return {};
      });
      TODO_TRY_VOID(std::move(done));
      log::Info("migration applied", {{"scope", scope}, {"name", m.name}});
      ++count;
    }
    return count;
  };
  auto result = run();
  (void)conn.Execute(kUnlock, lock_key);
  return result;
}

}  // namespace platform::pg
