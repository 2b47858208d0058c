#include <gtest/gtest.h>

#include <map>

#include "platform/bus/event_streams.hpp"
#include "platform/bus/relay_settings.hpp"

namespace {

platform::Config::EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EventStreamSettings, DefaultsAreThirtyDaysAndEightGibibytes) {
  platform::Config config("svc", "test", FakeEnv({}));
  auto streams = platform::bus::ReadEventStreamSettings(config);
  auto relay = platform::bus::ReadOutboxRelayOptions(config, streams);
  EXPECT_TRUE(config.Errors().empty());
  EXPECT_EQ(streams.max_age, std::chrono::seconds(90 * 86400));
  EXPECT_EQ(streams.max_bytes, 8LL << 30);
  EXPECT_EQ(relay.batch, 1000);
  EXPECT_EQ(relay.retention, std::chrono::seconds(600));
  EXPECT_EQ(relay.tombstone_age, streams.max_age);
}

TEST(EventStreamSettings, ValuesAreReadAndTombstonesFollowTheHistorysAge) {
  platform::Config config("svc", "test",
                          FakeEnv({{"TODO_EVENTS_MAX_AGE_SECONDS", "86400"},
                                   {"TODO_EVENTS_MAX_BYTES", "1073741824"},
                                   {"TODO_OUTBOX_BATCH", "2000"},
                                   {"TODO_OUTBOX_RETENTION_SECONDS", "1"}}));
  auto streams = platform::bus::ReadEventStreamSettings(config);
  auto relay = platform::bus::ReadOutboxRelayOptions(config, streams);
  EXPECT_TRUE(config.Errors().empty());
  EXPECT_EQ(streams.max_age, std::chrono::seconds(86400));
  EXPECT_EQ(streams.max_bytes, 1LL << 30);
  EXPECT_EQ(relay.batch, 2000);
  EXPECT_EQ(relay.retention, std::chrono::seconds(1));
  EXPECT_EQ(relay.tombstone_age, std::chrono::seconds(86400));
}

TEST(EventStreamSettings, ReplicasGoToBothStreamsAndAreOneByDefault) {
  platform::Config defaults("svc", "test", FakeEnv({}));
  EXPECT_EQ(platform::bus::ReadEventStreamSettings(defaults).replicas, 1);
  platform::Config config("svc", "test", FakeEnv({{"TODO_EVENTS_REPLICAS", "3"}}));
  auto streams = platform::bus::ReadEventStreamSettings(config);
  EXPECT_TRUE(config.Errors().empty());
  EXPECT_EQ(platform::bus::HistoryStreamSpec(streams).replicas, 3);
  EXPECT_EQ(platform::bus::StateStreamSpec(streams).replicas, 3);
  platform::Config bad("svc", "test", FakeEnv({{"TODO_EVENTS_REPLICAS", "0"}}));
  (void)platform::bus::ReadEventStreamSettings(bad);
  ASSERT_EQ(bad.Errors().size(), 1U);
  EXPECT_NE(bad.Errors()[0].find("TODO_EVENTS_REPLICAS"), std::string::npos);
}

TEST(EventStreamSettings, BadValuesAreStartUpErrorsNamingTheVariable) {
  // Below the duplicate window's hour, not a number, zero retention, a batch of nothing.
  platform::Config config("svc", "test",
                          FakeEnv({{"TODO_EVENTS_MAX_AGE_SECONDS", "60"},
                                   {"TODO_EVENTS_MAX_BYTES", "8G"},
                                   {"TODO_OUTBOX_BATCH", "0"},
                                   {"TODO_OUTBOX_RETENTION_SECONDS", "0"}}));
  auto streams = platform::bus::ReadEventStreamSettings(config);
  (void)platform::bus::ReadOutboxRelayOptions(config, streams);
  ASSERT_EQ(config.Errors().size(), 4u);
  EXPECT_NE(config.Errors()[0].find("TODO_EVENTS_MAX_AGE_SECONDS"), std::string::npos);
  EXPECT_NE(config.Errors()[1].find("TODO_EVENTS_MAX_BYTES"), std::string::npos);
  EXPECT_NE(config.Errors()[2].find("TODO_OUTBOX_BATCH"), std::string::npos);
  EXPECT_NE(config.Errors()[3].find("TODO_OUTBOX_RETENTION_SECONDS"), std::string::npos);
  EXPECT_THROW(config.Finish(0, nullptr), std::runtime_error);
}

}  // namespace
