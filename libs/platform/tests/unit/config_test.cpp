#include "platform/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace {

platform::Config::EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Config, UsesDefaultsWhenVariablesAreUnset) {
  platform::Config config("svc", "test", FakeEnv({}));
  EXPECT_EQ(config.Port("TODO_PORT", 8081, "port"), 8081);
  EXPECT_EQ(config.String("TODO_NAME", "x", "name"), "x");
  EXPECT_TRUE(config.Boolean("TODO_FLAG", true, "flag"));
  EXPECT_TRUE(config.Errors().empty());
}

TEST(Config, ParsesTypedValues) {
  platform::Config config(
      "svc", "test", FakeEnv({{"TODO_PORT", "9000"}, {"TODO_FLAG", "false"}, {"TODO_N", "-5"}}));
  EXPECT_EQ(config.Port("TODO_PORT", 8081, "port"), 9000);
  EXPECT_FALSE(config.Boolean("TODO_FLAG", true, "flag"));
  EXPECT_EQ(config.Integer("TODO_N", 0, -10, 10, "n"), -5);
  EXPECT_TRUE(config.Errors().empty());
}

TEST(Config, BadValueIsReportedByVariableName) {
  platform::Config config("svc", "test", FakeEnv({{"TODO_PORT", "80x"}, {"TODO_THREADS", "0"}}));
  config.Port("TODO_PORT", 8081, "port");
  config.Integer("TODO_THREADS", 2, 1, 64, "threads");
  ASSERT_EQ(config.Errors().size(), 2u);
  EXPECT_NE(config.Errors()[0].find("TODO_PORT"), std::string::npos);
  EXPECT_NE(config.Errors()[1].find("TODO_THREADS"), std::string::npos);
  char program[] = "svc";
  char* argv[] = {program};
  try {
    config.Finish(1, argv);
    FAIL() << "Finish should throw on a bad value";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("TODO_PORT"), std::string::npos);
  }
}

TEST(Config, PortOutOfRangeIsAnError) {
  platform::Config config("svc", "test", FakeEnv({{"TODO_PORT", "70000"}}));
  EXPECT_EQ(config.Port("TODO_PORT", 8081, "port"), 8081);
  EXPECT_EQ(config.Errors().size(), 1u);
}

TEST(Config, HelpListsEveryVariableWithItsDefault) {
  platform::Config config("svc", "does things", FakeEnv({}));
  config.Port("TODO_PORT", 8081, "where to listen");
  config.String("TODO_DB", "postgres://", "database");
  auto help = config.Help();
  EXPECT_NE(help.find("TODO_PORT"), std::string::npos);
  EXPECT_NE(help.find("8081"), std::string::npos);
  EXPECT_NE(help.find("TODO_DB"), std::string::npos);
}

}  // namespace
