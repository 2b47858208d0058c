// `list=` on GET /v1/progress and /v1/progress/daily (infra/rest/progress_query.hpp).
#include <gtest/gtest.h>

#include "infra/rest/progress_query.hpp"

namespace progress::infra {
namespace {

platform::http::Request WithQuery(std::string query) {
  platform::http::Request request;
  request.query = std::move(query);
  return request;
}

TEST(ListFilterTest, NoListMeansEveryTaskThePersonSees) {
  auto list = ParseListFilter(WithQuery(""));
  ASSERT_TRUE(list.has_value());
  EXPECT_FALSE(list->has_value());
}

TEST(ListFilterTest, AListIdIsTaken) {
  auto list = ParseListFilter(WithQuery("list=0193a3b2-7c4e-7d1a-9f00-5b2e8c1d4a10"));
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(*list, "0193a3b2-7c4e-7d1a-9f00-5b2e8c1d4a10");
}

TEST(ListFilterTest, SomethingElseIsAValidationErrorOnList) {
  for (const char* query : {"list=inbox", "list=", "list=0193a3b2-7c4e-7d1a-9f00-5b2e8c1d4a1"}) {
    auto list = ParseListFilter(WithQuery(query));
    ASSERT_FALSE(list.has_value()) << query;
    EXPECT_EQ(list.error().kind, platform::ErrorKind::kValidation);
    ASSERT_EQ(list.error().errors.size(), 1u);
    EXPECT_EQ(list.error().errors[0].field, "list");
  }
}

TEST(ListFilterTest, DailyTakesListBesideDaysAndNothingElse) {
  auto days = ParseDailyQuery(WithQuery("days=7&list=0193a3b2-7c4e-7d1a-9f00-5b2e8c1d4a10"));
  ASSERT_TRUE(days.has_value());
  EXPECT_EQ(*days, 7);
  auto unknown = ParseDailyQuery(WithQuery("days=7&lists=x"));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().errors[0].field, "lists");
}

}  // namespace
}  // namespace progress::infra
