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

}  // namespace
