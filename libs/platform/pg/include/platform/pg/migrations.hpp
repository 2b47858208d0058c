#pragma once
// Migrations: SQL files applied in order at start-up, each once, recorded in a table, and
// safe when several replicas start at the same moment (an advisory lock serialises them).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/pg/connection.hpp"

namespace platform::pg {

// Migration: one SQL file; its name orders it and identifies it once applied.
struct Migration {
  std::string name;
  std::string sql;
};

// Builds migrations from embedded {file name, contents} pairs, sorted by name.
std::vector<Migration> MigrationsFrom(
    const std::vector<std::pair<std::string_view, std::string_view>>& files);

// Applies what is not applied yet; returns how many were applied. A recorded migration
// whose text has since changed is an error: history is not rewritten.
DbResult<int> Migrate(Connection& conn, std::string_view scope,
                      const std::vector<Migration>& migrations);

}  // namespace platform::pg
