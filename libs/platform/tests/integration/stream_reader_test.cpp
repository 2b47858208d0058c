// ReadStreamToEnd and the streams' limits against the local nats-server.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "platform/bus/event_streams.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/bus/stream_reader.hpp"
#include "platform/testing/test_env.hpp"
#include "platform/uuid.hpp"

namespace platform::bus {
namespace {

using namespace std::chrono_literals;

class StreamReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suffix_ = testenv::UniqueSuffix();
    auto js = JetStream::Connect(testenv::TestNatsUrl(), "stream-reader-test");
    ASSERT_TRUE(js) << js.error().detail;
    js_ = std::move(*js);
    stream_ = "TEST_" + suffix_;
    prefix_ = "test" + suffix_;
    ASSERT_TRUE(js_->EnsureStream({stream_, {prefix_ + ".>"}, 120s}));
  }
  void TearDown() override {
    if (js_) {
      EXPECT_TRUE(js_->DeleteStream(stream_));
    }
  }

  void PublishMany(int n, const std::string& kind) {
    std::vector<OutgoingMessage> batch;
    for (int i = 0; i < n; ++i) {
      batch.push_back(
          {prefix_ + "." + kind + "." + std::to_string(i), std::to_string(i), NewUuidV7()});
    }
    auto published = js_->PublishBatch(batch, 10s);
    ASSERT_TRUE(published) << published.error().detail;
  }

  std::string suffix_, stream_, prefix_;
  std::unique_ptr<JetStream> js_;
};

TEST_F(StreamReaderTest, ReadsEveryMessageInOrderAndReturnsTheLastSequence) {
  constexpr int kMessages = 5000;
  PublishMany(kMessages, "task");
  std::vector<std::uint64_t> sequences;
  std::vector<std::string> data;
  auto started = std::chrono::steady_clock::now();
  auto last = ReadStreamToEnd(*js_, stream_, prefix_ + ".>", [&](const Message& m) -> Result<void> {
    sequences.push_back(m.StreamSequence());
    data.emplace_back(m.Data());
    EXPECT_FALSE(m.MsgId().empty());
    return {};
  });
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("read %zu messages in %.3f s: %.0f messages/s\n", sequences.size(), seconds,
              static_cast<double>(sequences.size()) / seconds);
  ASSERT_TRUE(last) << last.error().detail;
  EXPECT_EQ(*last, static_cast<std::uint64_t>(kMessages));
  ASSERT_EQ(sequences.size(), static_cast<std::size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(sequences[static_cast<std::size_t>(i)], static_cast<std::uint64_t>(i + 1));
    EXPECT_EQ(data[static_cast<std::size_t>(i)], std::to_string(i));
  }
}

TEST_F(StreamReaderTest, FilterReadsItsSubjectsOnlyAndEndsAtTheirLastMessage) {
  PublishMany(100, "task");
  PublishMany(50, "user");
  PublishMany(100, "task");
  int read = 0;
  auto last = ReadStreamToEnd(*js_, stream_, prefix_ + ".user.>", [&](const Message& m) {
    EXPECT_TRUE(std::string(m.Subject()).starts_with(prefix_ + ".user.")) << m.Subject();
    ++read;
    return Result<void>{};
  });
  ASSERT_TRUE(last) << last.error().detail;
  EXPECT_EQ(read, 50);
  EXPECT_EQ(*last, 150u);
}

TEST_F(StreamReaderTest, EmptyStreamOrNoMatchReturnsZeroAtOnce) {
  int read = 0;
  auto count = [&](const Message&) {
    ++read;
    return Result<void>{};
  };
  auto started = std::chrono::steady_clock::now();
  auto empty = ReadStreamToEnd(*js_, stream_, prefix_ + ".>", count);
  ASSERT_TRUE(empty) << empty.error().detail;
  EXPECT_EQ(*empty, 0u);
  PublishMany(10, "task");
  auto none = ReadStreamToEnd(*js_, stream_, prefix_ + ".user.>", count);
  ASSERT_TRUE(none) << none.error().detail;
  EXPECT_EQ(*none, 0u);
  EXPECT_EQ(read, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(StreamReaderTest, ErrorFromTheCallbackStopsTheRead) {
  PublishMany(100, "task");
  int read = 0;
  auto last = ReadStreamToEnd(*js_, stream_, prefix_ + ".>", [&](const Message&) -> Result<void> {
    if (++read == 10) return std::unexpected(Error::Unavailable("apply failed"));
    return {};
  });
  ASSERT_FALSE(last);
  EXPECT_EQ(read, 10);
}

TEST_F(StreamReaderTest, UnlimitedStreamIsUpdatedToTheHistoryLimits) {
  auto before = js_->State(stream_);
  ASSERT_TRUE(before) << before.error().detail;
  EXPECT_EQ(before->max_age, 0s);
  EXPECT_EQ(before->max_bytes, -1);
  PublishMany(10, "task");

  EventStreamSettings settings{.max_age = 7200s, .max_bytes = 64LL << 20};
  StreamSpec spec = HistoryStreamSpec(settings);
  spec.name = stream_;
  spec.subjects = {prefix_ + ".>"};
  auto ensured = js_->EnsureStream(spec);
  ASSERT_TRUE(ensured) << ensured.error().detail;
  auto after = js_->State(stream_);
  ASSERT_TRUE(after) << after.error().detail;
  EXPECT_EQ(after->max_age, 7200s);
  EXPECT_EQ(after->max_bytes, 64LL << 20);
  EXPECT_EQ(after->messages, 10u);  // the update keeps what the stream holds
}

TEST(EventStreams, EnsureCreatesTheHistoryAndStateStreamsWithTheirLimits) {
  auto js = JetStream::Connect(testenv::TestNatsUrl(), "event-streams-test");
  ASSERT_TRUE(js) << js.error().detail;
  EventStreamSettings settings;  // the defaults, as every service ensures them
  auto ensured = EnsureEventStreams(**js, settings);
  ASSERT_TRUE(ensured) << ensured.error().detail;
  auto history = (*js)->State(std::string(kHistoryStream));
  ASSERT_TRUE(history) << history.error().detail;
  EXPECT_EQ(history->max_age, std::chrono::seconds(90 * 86400));
  EXPECT_EQ(history->max_bytes, 8LL << 30);
  auto state = (*js)->State(std::string(kStateStream));
  ASSERT_TRUE(state) << state.error().detail;
  EXPECT_EQ(state->max_msgs_per_subject, 1);
  EXPECT_EQ(state->max_age, 0s);
  EXPECT_EQ(state->max_bytes, -1);
}

TEST(EventStreams, StateSubjectNamesKindAndEntityOfStateKindsOnly) {
  EXPECT_EQ(StateSubject("state", "todo.task.updated", "t-1"), "state.task.t-1");
  EXPECT_EQ(StateSubject("state", "todo.user.deleted", "u-1"), "state.user.u-1");
  EXPECT_EQ(StateSubject("state", "todo.list.created", "l-1"), "state.list.l-1");
  EXPECT_EQ(StateSubject("state", "todo.session.revoked", "s-1"), std::nullopt);
  EXPECT_EQ(StateSubject("state", "todo.tasks.created", "t-1"), std::nullopt);
  EXPECT_EQ(StateSubject("state", "todo.task", "t-1"), std::nullopt);
  EXPECT_EQ(StateSubject("state", "todo.task.updated", ""), std::nullopt);
  EXPECT_EQ(StateSubject("state", "todo.task.updated", "a.b"), std::nullopt);
  EXPECT_EQ(StateSubject("state", "todo.task.updated", "a b"), std::nullopt);
  EXPECT_TRUE(IsDeletion("todo.task.deleted"));
  EXPECT_FALSE(IsDeletion("todo.task.undeleted_not"));
}

}  // namespace
}  // namespace platform::bus
