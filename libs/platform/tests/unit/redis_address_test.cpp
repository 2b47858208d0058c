// TODO_REDIS_SENTINELS parsing, and the service settings that carry it; resolving through real
// Sentinels is tested by scripts/test-cluster (a Sentinel failover under load).

#include <gtest/gtest.h>

#include <map>

#include "platform/redis/address.hpp"
#include "platform/service.hpp"

namespace {

using platform::redis::ParseEndpoints;

TEST(RedisAddress, EndpointsAreHostColonPortSeparatedByCommas) {
  auto parsed = ParseEndpoints(" sentinel-a:26379, 10.0.0.7:26380 ,,");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().detail;
  ASSERT_EQ(parsed->size(), 2U);
  EXPECT_EQ((*parsed)[0].host, "sentinel-a");
  EXPECT_EQ((*parsed)[0].port, 26379);
  EXPECT_EQ((*parsed)[1].host, "10.0.0.7");
  EXPECT_EQ((*parsed)[1].port, 26380);
  EXPECT_TRUE(ParseEndpoints("")->empty());
}

TEST(RedisAddress, AnEntryWithoutAValidPortIsRefusedByName) {
  for (const char* bad : {"sentinel-a", "sentinel-a:", ":26379", "a:0", "a:65536", "a:26379x"}) {
    auto parsed = ParseEndpoints(std::string("ok:1,") + bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_NE(parsed.error().detail.find(bad), std::string::npos) << parsed.error().detail;
  }
}

TEST(RedisAddress, WithoutSentinelsTheServerIsUsedAsConfigured) {
  auto address = platform::redis::ServerAddress("cache", 6380);
  auto server = platform::redis::ResolveServer(address, std::chrono::milliseconds(10));
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(server->host, "cache");
  EXPECT_EQ(server->port, 6380);
}

TEST(RedisAddress, NoSentinelAnsweringIsUnavailableNotTheFallbackServer) {
  // Port 1 on loopback: refused at once. Falling back to TODO_REDIS_HOST could reach a stale
  // master that a failover demoted.
  platform::redis::Address address;
  address.sentinels = {{"127.0.0.1", 1}};
  auto server = platform::redis::ResolveServer(address, std::chrono::milliseconds(100));
  ASSERT_FALSE(server.has_value());
  EXPECT_EQ(server.error().kind, platform::ErrorKind::kUnavailable);
}

TEST(RedisAddress, ServiceSettingsReadTheSentinelsAndRejectABadList) {
  auto env = [](std::map<std::string, std::string> values) {
    return [values](std::string_view name) -> std::optional<std::string> {
      auto it = values.find(std::string(name));
      if (it == values.end()) return std::nullopt;
      return it->second;
    };
  };
  platform::Config good(
      "svc", "test",
      env({{"TODO_REDIS_SENTINELS", "s1:26379,s2:26379"}, {"TODO_REDIS_MASTER", "cache"}}));
  auto settings = platform::service::ReadServiceSettings(good, "tasks", "TODO_TASKS_PORT", 1, "");
  EXPECT_TRUE(good.Errors().empty());
  ASSERT_EQ(settings.redis.sentinels.size(), 2U);
  EXPECT_EQ(settings.redis.sentinels[1].host, "s2");
  EXPECT_EQ(settings.redis.master_name, "cache");

  platform::Config bad("svc", "test", env({{"TODO_REDIS_SENTINELS", "s1"}}));
  (void)platform::service::ReadServiceSettings(bad, "tasks", "TODO_TASKS_PORT", 1, "");
  ASSERT_EQ(bad.Errors().size(), 1U);
  EXPECT_NE(bad.Errors()[0].find("TODO_REDIS_SENTINELS"), std::string::npos);
}

}  // namespace
