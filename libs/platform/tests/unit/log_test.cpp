#include "platform/log.hpp"

#include <gtest/gtest.h>

#include <string>

#include "platform/check.hpp"
#include "platform/metrics.hpp"

namespace {

TEST(Log, LineIsJsonWithMessageAndFields) {
  auto line = platform::log::Render(platform::log::Level::kInfo, "hello",
                                    {{"request_id", "r-1"}, {"status", 200}});
  EXPECT_EQ(line.front(), '{');
  EXPECT_NE(line.find("\"msg\":\"hello\""), std::string::npos);
  EXPECT_NE(line.find("\"request_id\":\"r-1\""), std::string::npos);
  EXPECT_NE(line.find("\"status\":200"), std::string::npos);
}

TEST(Log, SecretsAreRedactedByFieldName) {
  auto line = platform::log::Render(
      platform::log::Level::kWarn, "login",
      {{"password", "hunter22"}, {"refresh_token", "abc.def"}, {"Authorization", "Bearer x"}});
  EXPECT_EQ(line.find("hunter22"), std::string::npos);
  EXPECT_EQ(line.find("abc.def"), std::string::npos);
  EXPECT_EQ(line.find("Bearer x"), std::string::npos);
  EXPECT_NE(line.find("[redacted]"), std::string::npos);
}

TEST(Log, SecretKeyMatchesAnyCaseAnywhereInTheName) {
  using platform::log::IsSecretKey;
  EXPECT_TRUE(IsSecretKey("password"));
  EXPECT_TRUE(IsSecretKey("new_PassWord"));
  EXPECT_TRUE(IsSecretKey("X-Refresh-TOKEN"));
  EXPECT_TRUE(IsSecretKey("client_secret_value"));
  EXPECT_TRUE(IsSecretKey("Set-Cookie"));
  EXPECT_TRUE(IsSecretKey("private_key"));
  EXPECT_FALSE(IsSecretKey("request_id"));
  EXPECT_FALSE(IsSecretKey("passwor"));
  EXPECT_FALSE(IsSecretKey("tok"));
  EXPECT_FALSE(IsSecretKey(""));
}

#ifdef NDEBUG
constexpr int kCheckLine = __LINE__ + 2;  // the TODO_CHECK below
platform::Result<int> Positive(int n) {
  TODO_CHECK(n > 0, "a count is positive");
  return n;
}

TEST(Log, InitMakesABrokenInvariantAnErrorLineWithItsPlaceAndCountsIt) {
  platform::log::Init("test");
  auto& failures = platform::metrics::DefaultRegistry().GetCounter(
      "invariant_failures_total", "Broken invariants reported (each failed its request)");
  const auto before = failures.Value();
  const auto line = std::to_string(kCheckLine);
  testing::internal::CaptureStdout();
  auto r = Positive(-1);
  std::string out = testing::internal::GetCapturedStdout();
  platform::SetInvariantReporter(nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, platform::ErrorKind::kInternal);
  EXPECT_NE(out.find("\"level\":\"error\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"msg\":\"broken invariant\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"invariant\":\"a count is positive: n > 0\""), std::string::npos) << out;
  EXPECT_NE(out.find("log_test.cpp"), std::string::npos) << out;
  EXPECT_NE(out.find("\"line\":" + line), std::string::npos) << out;
  EXPECT_EQ(failures.Value(), before + 1);
  EXPECT_NE(platform::metrics::DefaultRegistry().Render().find("invariant_failures_total"),
            std::string::npos);
}
#endif

}  // namespace
