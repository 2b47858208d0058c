// JetStream against the local nats-server: publish, dedup by Nats-Msg-Id, durable pull
// consumers with explicit acks.

#include <gtest/gtest.h>
#include <nats/nats.h>

#include <chrono>
#include <memory>
#include <string>

#include "platform/bus/consumer.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/testing/test_env.hpp"
#include "platform/uuid.hpp"

namespace platform::bus {
namespace {

using namespace std::chrono_literals;

// Each test owns a stream with a random name and subjects, deleted afterwards, so reruns and
// concurrent runs never see each other's messages.
class JetStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suffix_ = testenv::UniqueSuffix();
    auto js = JetStream::Connect(testenv::TestNatsUrl(), "jetstream-test");
    ASSERT_TRUE(js) << js.error().detail;
    js_ = std::move(*js);
    stream_ = "TEST_" + suffix_;
    prefix_ = "test" + suffix_;
    auto ensured = js_->EnsureStream({stream_, {prefix_ + ".>"}, std::chrono::seconds(120)});
    ASSERT_TRUE(ensured) << ensured.error().detail;
  }

  void TearDown() override {
    if (js_) {
      EXPECT_TRUE(js_->DeleteStream(stream_));
    }
  }

  std::unique_ptr<PullConsumer> Consumer(std::string durable) {
    auto consumer = PullConsumer::Create(*js_, stream_, durable + suffix_, prefix_ + ".>");
    EXPECT_TRUE(consumer) << consumer.error().detail;
    return consumer ? std::move(*consumer) : nullptr;
  }

  // Consumer state as the server sees it; nullopt when the durable does not exist.
  std::optional<std::pair<std::int64_t, std::uint64_t>> AckPendingAndDelivered(
      const std::string& durable) {
    jsConsumerInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetConsumerInfo(&info, js_->RawContext(), stream_.c_str(),
                                      (durable + suffix_).c_str(), nullptr, &code);
    if (s != NATS_OK) return std::nullopt;
    std::pair<std::int64_t, std::uint64_t> out{info->NumAckPending, info->Delivered.Stream};
    jsConsumerInfo_Destroy(info);
    return out;
  }

  std::string suffix_;
  std::string stream_;
  std::string prefix_;
  std::unique_ptr<JetStream> js_;
};

TEST_F(JetStreamTest, PublishedMessageIsFetchedByDurableConsumerAndAcked) {
  std::string id = NewUuidV7();
  auto ack = js_->Publish(prefix_ + ".user.created", R"({"hello":"world"})", id);
  ASSERT_TRUE(ack) << ack.error().detail;
  EXPECT_FALSE(ack->duplicate);
  EXPECT_GT(ack->sequence, 0u);
  EXPECT_TRUE(js_->Connected());

  auto consumer = Consumer("reader");
  ASSERT_TRUE(consumer);
  auto messages = consumer->Fetch(10, 5s);
  ASSERT_TRUE(messages) << messages.error().detail;
  ASSERT_EQ(messages->size(), 1u);
  Message& msg = messages->front();
  EXPECT_EQ(msg.Subject(), prefix_ + ".user.created");
  EXPECT_EQ(msg.Data(), R"({"hello":"world"})");
  EXPECT_EQ(msg.MsgId(), id);
  EXPECT_EQ(msg.NumDelivered(), 1u);
  EXPECT_EQ(msg.StreamSequence(), ack->sequence);
  ASSERT_TRUE(msg.Ack());

  // The ack is fire-and-forget: await the server's view rather than sleeping.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  std::optional<std::pair<std::int64_t, std::uint64_t>> state;
  while (std::chrono::steady_clock::now() < deadline) {
    state = AckPendingAndDelivered("reader");
    if (state && state->first == 0) break;
  }
  ASSERT_TRUE(state);
  EXPECT_EQ(state->first, 0);
  EXPECT_EQ(state->second, ack->sequence);
}

TEST_F(JetStreamTest, DuplicateMsgIdWithinWindowIsDropped) {
  std::string id = NewUuidV7();
  auto first = js_->Publish(prefix_ + ".task.created", "one", id);
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_FALSE(first->duplicate);
  auto second = js_->Publish(prefix_ + ".task.created", "one again", id);
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->sequence, first->sequence);

  auto consumer = Consumer("dedup");
  ASSERT_TRUE(consumer);
  int seen = 0;
  for (;;) {
    auto messages = consumer->Fetch(10, 1s);
    ASSERT_TRUE(messages) << messages.error().detail;
    if (messages->empty()) break;
    for (auto& m : *messages) {
      EXPECT_EQ(m.Data(), "one");
      EXPECT_TRUE(m.Ack());
      ++seen;
    }
  }
  EXPECT_EQ(seen, 1);
}

TEST_F(JetStreamTest, NakRedeliversWithGrowingDeliveryCount) {
  ASSERT_TRUE(js_->Publish(prefix_ + ".task.updated", "x", NewUuidV7()));
  auto consumer = Consumer("retry");
  ASSERT_TRUE(consumer);
  auto first = consumer->Fetch(1, 5s);
  ASSERT_TRUE(first && first->size() == 1u);
  EXPECT_EQ(first->front().NumDelivered(), 1u);
  ASSERT_TRUE(first->front().Nak(0ms));
  auto second = consumer->Fetch(1, 5s);
  ASSERT_TRUE(second && second->size() == 1u);
  EXPECT_EQ(second->front().NumDelivered(), 2u);
  EXPECT_TRUE(second->front().Term());
}

TEST_F(JetStreamTest, DestroyingConsumerKeepsDurableAndItsPosition) {
  ASSERT_TRUE(js_->Publish(prefix_ + ".a", "1", NewUuidV7()));
  ASSERT_TRUE(js_->Publish(prefix_ + ".a", "2", NewUuidV7()));
  {
    auto consumer = Consumer("keep");
    ASSERT_TRUE(consumer);
    auto messages = consumer->Fetch(1, 5s);
    ASSERT_TRUE(messages && messages->size() == 1u);
    EXPECT_EQ(messages->front().Data(), "1");
    ASSERT_TRUE(messages->front().Ack());
  }
  EXPECT_TRUE(AckPendingAndDelivered("keep").has_value());

  auto again = Consumer("keep");
  ASSERT_TRUE(again);
  auto messages = again->Fetch(1, 5s);
  ASSERT_TRUE(messages && messages->size() == 1u);
  EXPECT_EQ(messages->front().Data(), "2");
  EXPECT_TRUE(messages->front().Ack());
}

TEST_F(JetStreamTest, EnsureStreamIsIdempotentAndUpdatesConfig) {
  EXPECT_TRUE(js_->EnsureStream({stream_, {prefix_ + ".>"}, std::chrono::seconds(120)}));
  // A different duplicate window is an update of the existing stream, not a failure.
  EXPECT_TRUE(js_->EnsureStream({stream_, {prefix_ + ".>"}, std::chrono::seconds(300)}));
  jsStreamInfo* info = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&info, js_->RawContext(), stream_.c_str(), nullptr, nullptr), NATS_OK);
  EXPECT_EQ(info->Config->Duplicates,
            std::chrono::duration_cast<std::chrono::nanoseconds>(300s).count());
  EXPECT_EQ(info->Config->Storage, js_FileStorage);
  jsStreamInfo_Destroy(info);
}

TEST_F(JetStreamTest, FetchTimeoutIsEmptyNotAnError) {
  auto consumer = Consumer("empty");
  ASSERT_TRUE(consumer);
  auto messages = consumer->Fetch(5, 200ms);
  ASSERT_TRUE(messages) << messages.error().detail;
  EXPECT_TRUE(messages->empty());
}

}  // namespace
}  // namespace platform::bus
