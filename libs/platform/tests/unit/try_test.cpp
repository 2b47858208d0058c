#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <string>
#include <utility>

#include "platform/http/message.hpp"
#include "platform/pg/connection.hpp"
#include "platform/testing/run_sync.hpp"
#include "platform/try.hpp"

namespace {

using platform::Error;
using platform::Result;

int evaluations = 0;

Result<int> Number(bool ok) {
  ++evaluations;
  if (!ok) return std::unexpected(Error::NotFound("no number"));
  return 41;
}

Result<int> PlusOne(bool ok) {
  TODO_TRY(int n, Number(ok));
  return n + 1;
}

Result<void> JustCheck(bool ok) {
  TODO_TRY_VOID(Number(ok));
  return {};
}

Result<std::pair<int, std::string>> Pair() { return std::pair{7, std::string("seven")}; }

Result<std::string> Bound() {
  TODO_TRY(auto pair, Pair());
  auto [n, name] = std::move(pair);
  return name + std::to_string(n);
}

platform::pg::DbResult<int> FromDb(bool ok) {
  if (!ok) return std::unexpected(platform::pg::DbError{"23505", "duplicate key"});
  return 3;
}

Result<int> DbToResult(bool ok) {
  TODO_TRY(int n, FromDb(ok));
  return n;
}

boost::asio::awaitable<Result<int>> CoNumber(bool ok) { co_return Number(ok); }

boost::asio::awaitable<Result<int>> CoPlusOne(bool ok) {
  TODO_CO_TRY(int n, co_await CoNumber(ok));
  co_return n + 1;
}

boost::asio::awaitable<Result<void>> CoJustCheck(bool ok) {
  TODO_CO_TRY_VOID(co_await CoNumber(ok));
  co_return Result<void>{};
}

boost::asio::awaitable<platform::http::Response> Handler(bool ok) {
  TODO_CO_TRY(int n, co_await CoNumber(ok));
  co_return platform::http::Response::Json(200, std::to_string(n));
}

TEST(TryTest, BindsTheValueAndEvaluatesOnce) {
  evaluations = 0;
  EXPECT_EQ(PlusOne(true), 42);
  EXPECT_EQ(evaluations, 1);
}

TEST(TryTest, ReturnsTheErrorUnchanged) {
  auto r = PlusOne(false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, platform::ErrorKind::kNotFound);
  EXPECT_EQ(r.error().detail, "no number");
  EXPECT_FALSE(JustCheck(false));
  EXPECT_TRUE(JustCheck(true));
}

TEST(TryTest, BindsAStructuredValue) { EXPECT_EQ(Bound(), "seven7"); }

TEST(TryTest, ADatabaseErrorBecomesAnError) {
  EXPECT_EQ(DbToResult(true), 3);
  auto r = DbToResult(false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, platform::ErrorKind::kInternal);
}

TEST(TryTest, CoroutinesCoReturnTheError) {
  EXPECT_EQ(platform::testing::RunSync(CoPlusOne(true)), 42);
  auto r = platform::testing::RunSync(CoPlusOne(false));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, platform::ErrorKind::kNotFound);
  EXPECT_TRUE(platform::testing::RunSync(CoJustCheck(true)));
  EXPECT_FALSE(platform::testing::RunSync(CoJustCheck(false)));
}

TEST(TryTest, AHandlerAnswersWithTheProblem) {
  EXPECT_EQ(platform::testing::RunSync(Handler(true)).status, 200);
  auto failed = platform::testing::RunSync(Handler(false));
  EXPECT_EQ(failed.status, 404);
  EXPECT_NE(failed.body.find("no number"), std::string::npos);
}

}  // namespace
