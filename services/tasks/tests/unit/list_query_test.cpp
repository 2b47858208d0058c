// GET /v1/tasks query parsing: cursors bound to the user and the exact decoded query, cursor
// values checked before they reach SQL, times and texts validated.

#include <gtest/gtest.h>

#include <string>

#include "infra/rest/cursor_codec.hpp"
#include "infra/rest/list_query.hpp"

namespace tasks::infra {
namespace {

constexpr std::string_view kAlice = "0190c7a4-0000-7000-8000-00000000000a";
constexpr std::string_view kBob = "0190c7a4-0000-7000-8000-00000000000b";
constexpr std::string_view kTaskId = "0190c7a4-0000-7000-8000-000000000001";

platform::http::Request Query(std::string query) {
  platform::http::Request request;
  request.query = std::move(query);
  return request;
}

CursorCodec Codec() { return CursorCodec(std::string(32, 'k')); }

// A cursor as the list handler hands it out for `query` and `user`.
std::string CursorFor(std::string_view query, std::string_view user, std::string key) {
  return Codec().Encode({std::move(key), std::string(kTaskId)},
                        CursorScope(Query(std::string(query)), user));
}

platform::Result<app::ListQuery> Parse(std::string query, std::string_view user = kAlice) {
  return ParseListQuery(Query(std::move(query)), std::string(user), Codec());
}

void ExpectCursorRefused(const platform::Result<app::ListQuery>& result) {
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, platform::ErrorKind::kValidation);
  ASSERT_EQ(result.error().errors.size(), 1u);
  EXPECT_EQ(result.error().errors[0].field, "cursor");
  EXPECT_EQ(result.error().errors[0].message, "does not belong to this query");
}

TEST(ListQueryCursor, IsAcceptedOnTheQueryItWasMadeForWhateverTheLimit) {
  auto token = CursorFor("sort=priority&q=a", kAlice, "3");
  auto parsed = Parse("q=a&sort=priority&limit=5&cursor=" + token);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().detail;
  ASSERT_TRUE(parsed->after.has_value());
  EXPECT_EQ(parsed->after->key, "3");
}

TEST(ListQueryCursor, FromAnotherUserIsRefused) {
  auto token = CursorFor("q=a", kBob, "1770000000000");
  ExpectCursorRefused(Parse("q=a&cursor=" + token, kAlice));
}

TEST(ListQueryCursor, FromAQueryThatDecodesAlikeIsRefused) {
  // q="a&sort=priority" once decoded: its scope must not be that of q=a&sort=priority, or a
  // created_at cursor (ms) reaches the priority statement as a smallint (a 500).
  auto token = CursorFor("q=a%26sort%3Dpriority", kAlice, "1770000000000");
  ExpectCursorRefused(Parse("q=a&sort=priority&cursor=" + token));
  auto other = CursorFor("q=a", kAlice, "1770000000000");
  ExpectCursorRefused(Parse("q=b&cursor=" + other));
  ExpectCursorRefused(Parse("q=a&status=todo&cursor=" + other));
}

TEST(ListQueryCursor, ValuesOfTheWrongTypeOrRangeNeverReachSql) {
  // Signed by us for the right scope, but not a key of the sort: refused all the same.
  ExpectCursorRefused(Parse("sort=priority&cursor=" + CursorFor("sort=priority", kAlice, "5")));
  ExpectCursorRefused(
      Parse("sort=priority&cursor=" + CursorFor("sort=priority", kAlice, "1770000000000")));
  ExpectCursorRefused(
      Parse("sort=priority&cursor=" + CursorFor("sort=priority", kAlice, "Infinity")));
  ExpectCursorRefused(Parse("cursor=" + CursorFor("", kAlice, "Infinity")));
  ExpectCursorRefused(Parse("cursor=" + CursorFor("", kAlice, "99999999999999999999")));
  ExpectCursorRefused(Parse("cursor=" + CursorFor("", kAlice, "253402300800000")));
  ExpectCursorRefused(Parse("cursor=" + CursorFor("", kAlice, "12abc")));
  EXPECT_TRUE(Parse("cursor=" + CursorFor("", kAlice, "253402300799999")).has_value());
  EXPECT_TRUE(
      Parse("sort=due_at&cursor=" + CursorFor("sort=due_at", kAlice, "Infinity")).has_value());
  ExpectCursorRefused(Parse("cursor=garbage"));
}

TEST(ListQueryTimes, OutsideTheYears1970To9999AreRefusedNamingTheFilter) {
  for (std::string name : {"due_before", "due_after", "expires_before", "expires_after"}) {
    auto parsed = Parse(name + "=2300-01-01T00:00:00Z");
    ASSERT_TRUE(parsed.has_value()) << name;
    for (std::string bad : {"10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
                            "9999-12-31T23:00:00-14:00", "2016-12-31T23:59:60Z"}) {
      auto refused = Parse(name + "=" + bad);
      ASSERT_FALSE(refused.has_value()) << name << "=" << bad;
      ASSERT_EQ(refused.error().errors.size(), 1u);
      EXPECT_EQ(refused.error().errors[0].field, name);
    }
  }
}

TEST(ListQueryText, TextTheDatabaseWouldRefuseIsA400) {
  for (std::string bad : {"q=a%00b", "q=%FF", "label=%00", "label=%C3%28", "q=a%01"}) {
    auto parsed = Parse(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().kind, platform::ErrorKind::kValidation) << bad;
  }
  EXPECT_TRUE(Parse("q=caf%C3%A9&label=ramadhan").has_value());
}

}  // namespace
}  // namespace tasks::infra
