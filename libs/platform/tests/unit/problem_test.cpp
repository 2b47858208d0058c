#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "platform/error.hpp"
#include "platform/http/message.hpp"
#include "platform/http/problem_json.hpp"

namespace {

using platform::Error;
using platform::ErrorKind;

TEST(Problem, EachKindMapsToItsStatusAndStableType) {
  struct Case {
    ErrorKind kind;
    int status;
    const char* type;
  };
  const Case cases[] = {
      {ErrorKind::kValidation, 400, "validation"},
      {ErrorKind::kUnauthorized, 401, "unauthorized"},
      {ErrorKind::kForbidden, 403, "forbidden"},
      {ErrorKind::kNotFound, 404, "not-found"},
      {ErrorKind::kConflict, 409, "conflict"},
      {ErrorKind::kPreconditionFailed, 412, "precondition-failed"},
      {ErrorKind::kPayloadTooLarge, 413, "payload-too-large"},
      {ErrorKind::kRateLimited, 429, "rate-limited"},
      {ErrorKind::kUnavailable, 503, "unavailable"},
      {ErrorKind::kInternal, 500, "internal"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(platform::HttpStatus(c.kind), c.status);
    EXPECT_EQ(platform::TypeSlug(c.kind), c.type);
  }
}

TEST(Problem, DocumentCarriesTypeTitleStatusDetailAndFieldErrors) {
  auto error = Error::Validation("bad body", {{"title", "must not be empty"}});
  rapidjson::Document doc;
  doc.Parse(platform::ToProblemJson(error).c_str());
  ASSERT_TRUE(doc.IsObject());
  EXPECT_STREQ(doc["type"].GetString(), "/problems/validation");
  EXPECT_EQ(doc["status"].GetInt(), 400);
  EXPECT_STREQ(doc["detail"].GetString(), "bad body");
  EXPECT_TRUE(doc["title"].IsString());
  ASSERT_TRUE(doc["errors"].IsArray());
  EXPECT_STREQ(doc["errors"][0]["field"].GetString(), "title");
  EXPECT_STREQ(doc["errors"][0]["message"].GetString(), "must not be empty");
}

TEST(Problem, ResponseHasProblemContentTypeAndAuthHeaders) {
  auto response = platform::http::Response::Problem(Error::Unauthorized());
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  EXPECT_EQ(response.Header("WWW-Authenticate"), "Bearer");
}

TEST(Problem, RateLimitedCarriesRetryAfter) {
  auto response = platform::http::Response::Problem(Error::RateLimited("slow down", 42));
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.Header("Retry-After"), "42");
}

TEST(Problem, InternalErrorSaysNothingSpecific) {
  auto json = platform::ToProblemJson(Error::Internal());
  EXPECT_EQ(json.find("SQL"), std::string::npos);
  EXPECT_NE(json.find("\"status\":500"), std::string::npos);
}

}  // namespace
