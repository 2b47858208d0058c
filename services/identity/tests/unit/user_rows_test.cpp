// Reading identity rows by column name: a row of the expected shape becomes its struct, and a
// row of another shape (a column missing, NULL, not a number) is a named pg::RowError, which a
// store's DbResult carries as a DbError marked malformed. Rows are built with libpq's own
// result-building calls, so no database is needed.

#include <libpq-fe.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "infra/pg/user_rows.hpp"

namespace identity::infra {
namespace {

namespace pg = platform::pg;

using Cell = std::optional<std::string>;  // nullopt is SQL NULL

// A one-row result with the given columns, all of them text.
pg::Rows OneRow(const std::vector<std::pair<std::string, Cell>>& cells) {
  PGresult* result = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
  std::vector<PGresAttDesc> attributes(cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    attributes[i] = PGresAttDesc{const_cast<char*>(cells[i].first.c_str()), 0, 0, 0, 25, -1, 0};
  }
  EXPECT_EQ(PQsetResultAttrs(result, static_cast<int>(attributes.size()), attributes.data()), 1);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Cell& value = cells[i].second;
    std::string text = value.value_or("");
    EXPECT_EQ(PQsetvalue(result, 0, static_cast<int>(i), value ? text.data() : nullptr,
                         value ? static_cast<int>(text.size()) : -1),
              1);
  }
  return pg::Rows(result);
}

std::vector<std::pair<std::string, Cell>> UserCells() {
  return {{"id", "0190a1b2-0000-7000-8000-000000000001"},
          {"email", "aisyah@example.com"},
          {"name", "Aisyah"},
          {"timezone", "Asia/Jakarta"},
          {"default_task_ttl_seconds", std::nullopt},
          {"created_at", "2026-01-02T03:04:05.678Z"},
          {"updated_at", "2026-01-02T03:04:05.678Z"},
          {"version", "3"},
          {"password_hash", "$argon2id$v=19$..."}};
}

std::vector<std::pair<std::string, Cell>> With(std::vector<std::pair<std::string, Cell>> cells,
                                               const std::string& column, Cell value) {
  for (auto& [name, cell] : cells) {
    if (name == column) {
      cell = std::move(value);
      break;
    }
  }
  return cells;
}

TEST(UserRowsTest, ReadsAUserByColumnName) {
  auto rows = OneRow(UserCells());
  auto read = ReadCredentials(rows.At(0));
  ASSERT_TRUE(read.has_value()) << read.error().Message();
  EXPECT_EQ(read->user.id, "0190a1b2-0000-7000-8000-000000000001");
  EXPECT_EQ(read->user.email, "aisyah@example.com");
  EXPECT_EQ(read->user.name, "Aisyah");
  EXPECT_EQ(read->user.timezone, "Asia/Jakarta");
  EXPECT_EQ(read->user.default_task_ttl_seconds, std::nullopt);
  EXPECT_EQ(read->user.created_at, "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(read->user.version, 3);
  EXPECT_EQ(read->password_hash, "$argon2id$v=19$...");
}

TEST(UserRowsTest, ColumnOrderDoesNotMatter) {
  auto cells = UserCells();
  std::swap(cells.front(), cells.back());
  auto rows = OneRow(cells);
  auto read = ReadCredentials(rows.At(0));
  ASSERT_TRUE(read.has_value()) << read.error().Message();
  EXPECT_EQ(read->user.id, "0190a1b2-0000-7000-8000-000000000001");
  EXPECT_EQ(read->password_hash, "$argon2id$v=19$...");
}

TEST(UserRowsTest, AMissingColumnIsANamedRowError) {
  auto cells = UserCells();
  cells.erase(cells.begin() + 1);  // no email
  auto rows = OneRow(cells);
  auto read = ReadCredentials(rows.At(0));
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().column, "email");
  EXPECT_EQ(read.error().problem, "no such column");
}

TEST(UserRowsTest, NullWhereAValueMustBeIsANamedRowError) {
  auto rows = OneRow(With(UserCells(), "name", std::nullopt));
  auto read = ReadCredentials(rows.At(0));
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().column, "name");
  EXPECT_EQ(read.error().problem, "NULL");
}

TEST(UserRowsTest, TextWhereANumberMustBeIsANamedRowError) {
  auto rows = OneRow(With(UserCells(), "version", "three"));
  auto read = ReadCredentials(rows.At(0));
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().column, "version");
  EXPECT_EQ(read.error().problem, "not an integer");
}

TEST(UserRowsTest, AMalformedRowReachesTheStoreAsAMalformedDbError) {
  auto rows = OneRow(With(UserCells(), "default_task_ttl_seconds", "soon"));
  auto read = ReadCredentials(rows.At(0));
  ASSERT_FALSE(read.has_value());
  pg::DbResult<domain::Credentials> in_store = std::unexpected(read.error());
  ASSERT_FALSE(in_store.has_value());
  EXPECT_TRUE(in_store.error().IsMalformedRow());
  EXPECT_NE(in_store.error().message.find("default_task_ttl_seconds"), std::string::npos);
}

TEST(UserRowsTest, ReadsAnEndedSession) {
  auto rows = OneRow({{"session_id", "s-1"}, {"user_id", "u-1"}, {"revoked_at_ms", "60000"}});
  auto read = ReadEndedSession(rows.At(0), std::chrono::seconds(900));
  ASSERT_TRUE(read.has_value()) << read.error().Message();
  EXPECT_EQ(read->session_id, "s-1");
  EXPECT_EQ(read->user_id, "u-1");
  EXPECT_EQ(read->revoked_at.time_since_epoch(), std::chrono::milliseconds(60000));
}

TEST(UserRowsTest, AnEndedSessionWithoutItsTimeIsANamedRowError) {
  auto rows = OneRow({{"session_id", "s-1"}, {"user_id", "u-1"}, {"revoked_at_ms", std::nullopt}});
  auto read = ReadEndedSession(rows.At(0), std::chrono::seconds(900));
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().column, "revoked_at_ms");
}

TEST(UserRowsTest, ReadsALockedRefreshToken) {
  auto rows = OneRow({{"family_id", "f-1"},
                      {"user_id", "u-1"},
                      {"used", "f"},
                      {"revoked", "t"},
                      {"expired", "f"}});
  auto read = ReadLockedRefreshToken(rows.At(0));
  ASSERT_TRUE(read.has_value()) << read.error().Message();
  EXPECT_EQ(read->family_id, "f-1");
  EXPECT_FALSE(read->used);
  EXPECT_TRUE(read->revoked);
  EXPECT_FALSE(read->expired);
}

TEST(UserRowsTest, ANonBooleanFlagIsANamedRowError) {
  auto rows = OneRow({{"family_id", "f-1"},
                      {"user_id", "u-1"},
                      {"used", "maybe"},
                      {"revoked", "t"},
                      {"expired", "f"}});
  auto read = ReadLockedRefreshToken(rows.At(0));
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().column, "used");
  EXPECT_EQ(read.error().problem, "not a boolean");
}

}  // namespace
}  // namespace identity::infra
