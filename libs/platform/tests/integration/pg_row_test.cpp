// platform::pg::Row against the real server: columns are read by name, and a row not of the
// shape its reader expects is a RowError (never a wrong value or undefined behaviour).

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "platform/pg/connection.hpp"
#include "platform/testing/test_env.hpp"
#include "platform/try.hpp"

namespace {

namespace pg = platform::pg;

class PgRowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = pg::Connection::Open(platform::testenv::TestPgConninfo());
    ASSERT_TRUE(conn.has_value()) << conn.error().message;
    conn_ = std::move(*conn);
  }
  pg::Rows Select(const char* name, const char* sql) {
    auto rows = conn_->Execute(pg::Query{name, sql});
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
    return std::move(*rows);
  }
  std::unique_ptr<pg::Connection> conn_;
};

// The value of a read that must succeed (a failure is reported and reads as T{}).
template <typename T>
T Value(const pg::RowResult<T>& read) {
  EXPECT_TRUE(read.has_value()) << read.error().Message();
  return read ? *read : T{};
}

constexpr const char* kTyped =
    "SELECT 'a title' AS title, 42::bigint AS version, true AS done, NULL::text AS note, "
    "NULL::bigint AS due, NULL::boolean AS flag, 'x7' AS junk, '' AS empty, 'maybe' AS answer";

TEST_F(PgRowTest, ReadsEachColumnByNameInAnyOrder) {
  pg::Rows rows = Select("row_typed", kTyped);
  ASSERT_EQ(rows.Size(), 1);
  pg::Row row = rows.At(0);
  EXPECT_EQ(row.Bool("done"), true);
  EXPECT_EQ(row.Text("title"), "a title");
  EXPECT_EQ(row.Int("version"), 42);
  EXPECT_EQ(Value(row.OptionalText("title")), std::optional<std::string>("a title"));
  EXPECT_EQ(Value(row.OptionalInt("version")), std::optional<std::int64_t>(42));
  EXPECT_EQ(Value(row.OptionalBool("done")), std::optional<bool>(true));
}

TEST_F(PgRowTest, NullIsAnEmptyOptionalButAnErrorWhereAValueMustBe) {
  pg::Rows rows = Select("row_nulls", kTyped);
  pg::Row row = rows.At(0);
  EXPECT_EQ(Value(row.OptionalText("note")), std::optional<std::string>());
  EXPECT_EQ(Value(row.OptionalInt("due")), std::optional<std::int64_t>());
  EXPECT_EQ(Value(row.OptionalBool("flag")), std::optional<bool>());
  for (const auto& r :
       {row.Text("note").error(), row.Int("due").error(), row.Bool("flag").error()}) {
    EXPECT_EQ(r.problem, "NULL");
  }
  EXPECT_EQ(row.Text("note").error().column, "note");
}

TEST_F(PgRowTest, AMissingColumnIsARowErrorNamingIt) {
  pg::Rows rows = Select("row_missing", kTyped);
  pg::Row row = rows.At(0);
  auto text = row.Text("nope");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().column, "nope");
  EXPECT_EQ(text.error().problem, "no such column");
  EXPECT_FALSE(row.OptionalText("nope"));
  EXPECT_FALSE(row.Int("nope"));
  EXPECT_FALSE(row.OptionalInt("nope"));
  EXPECT_FALSE(row.Bool("nope"));
  EXPECT_FALSE(row.OptionalBool("nope"));
}

TEST_F(PgRowTest, TextThatIsNotANumberOrABooleanIsARowError) {
  pg::Rows rows = Select("row_junk", kTyped);
  pg::Row row = rows.At(0);
  EXPECT_EQ(row.Int("junk").error().problem, "not an integer");
  EXPECT_EQ(row.Int("empty").error().problem, "not an integer");
  EXPECT_EQ(row.OptionalInt("title").error().problem, "not an integer");
  EXPECT_EQ(row.Bool("answer").error().problem, "not a boolean");
  EXPECT_EQ(row.OptionalBool("title").error().problem, "not a boolean");
}

TEST_F(PgRowTest, ReadsEveryRowOfAResult) {
  pg::Rows rows = Select(
      "row_series", "SELECT n AS position, 'item ' || n AS label FROM generate_series(1, 3) n");
  ASSERT_EQ(rows.Size(), 3);
  for (int i = 0; i < rows.Size(); ++i) {
    EXPECT_EQ(rows.At(i).Int("position"), i + 1);
    EXPECT_EQ(rows.At(i).Text("label"), "item " + std::to_string(i + 1));
  }
}

// What a repository does with a RowError: TODO_TRY passes it on as a DbError marked malformed.
pg::DbResult<std::int64_t> VersionOf(const pg::Row& row) {
  TODO_TRY(std::int64_t version, row.Int("junk"));
  return version;
}

TEST_F(PgRowTest, ARowErrorBecomesAMalformedRowDbError) {
  pg::Rows rows = Select("row_dberror", kTyped);
  auto version = VersionOf(rows.At(0));
  ASSERT_FALSE(version);
  EXPECT_TRUE(version.error().IsMalformedRow());
  EXPECT_EQ(version.error().message, "malformed row: column junk: not an integer");
  EXPECT_EQ(version.error().ToError().kind, platform::ErrorKind::kInternal);
}

}  // namespace
