#include "platform/http/router.hpp"

#include <gtest/gtest.h>

namespace {

using platform::http::Request;
using platform::http::Response;

platform::http::Handler Fixed(int status) {
  return [status](Request&) -> boost::asio::awaitable<Response> {
    co_return Response::Json(status, "{}");
  };
}

TEST(Router, MatchesExactPath) {
  platform::http::Router router;
  router.Add("GET", "/healthz", Fixed(200));
  auto match = router.Find("GET", "/healthz");
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->route, "/healthz");
}

TEST(Router, ExtractsPathParameters) {
  platform::http::Router router;
  router.Add("PATCH", "/v1/tasks/{id}/checklist/{item_id}", Fixed(200));
  auto match = router.Find("PATCH", "/v1/tasks/abc/checklist/def");
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->params.at("id"), "abc");
  EXPECT_EQ(match->params.at("item_id"), "def");
}

TEST(Router, UnknownPathIsNotFound) {
  platform::http::Router router;
  router.Add("GET", "/v1/users/me", Fixed(200));
  auto match = router.Find("GET", "/v1/users/you");
  ASSERT_FALSE(match.has_value());
  EXPECT_EQ(platform::HttpStatus(match.error().kind), 404);
}

TEST(Router, KnownPathWithOtherMethodIsMethodNotAllowed) {
  platform::http::Router router;
  router.Add("GET", "/v1/users/me", Fixed(200));
  auto match = router.Find("POST", "/v1/users/me");
  ASSERT_FALSE(match.has_value());
  EXPECT_EQ(platform::HttpStatus(match.error().kind), 405);
}

TEST(Router, AllowedMethodsListsEveryMethodOfAPath) {
  platform::http::Router router;
  router.Add("GET", "/v1/users/me", Fixed(200));
  router.Add("PATCH", "/v1/users/me", Fixed(200));
  router.Add("POST", "/v1/auth/login", Fixed(200));
  EXPECT_EQ(router.AllowedMethods("/v1/users/me"), "GET, PATCH");
  EXPECT_EQ(router.AllowedMethods("/v1/nothing"), "");
}

TEST(Router, EmptyParameterSegmentDoesNotMatch) {
  platform::http::Router router;
  router.Add("GET", "/v1/tasks/{id}", Fixed(200));
  EXPECT_FALSE(router.Find("GET", "/v1/tasks/").has_value());
  EXPECT_FALSE(router.Find("GET", "/v1/tasks/a/b").has_value());
}

TEST(Router, SameMethodPicksTheFirstMatchingPattern) {
  platform::http::Router router;
  router.Add("GET", "/v1/users/me", Fixed(200));
  router.Add("GET", "/v1/users/{id}", Fixed(201));
  EXPECT_EQ(router.Find("GET", "/v1/users/me")->route, "/v1/users/me");
  EXPECT_EQ(router.Find("GET", "/v1/users/x")->route, "/v1/users/{id}");
}

TEST(QueryParams, DecodesPercentAndPlus) {
  Request request;
  request.query = "q=hello+world%21&status=todo,done&empty=";
  auto params = request.QueryParams();
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].second, "hello world!");
  EXPECT_EQ(params[1].second, "todo,done");
  EXPECT_EQ(params[2].second, "");
}

}  // namespace
