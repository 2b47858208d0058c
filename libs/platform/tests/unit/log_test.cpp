#include "platform/log.hpp"

#include <gtest/gtest.h>

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

}  // namespace
