// The Redis client against a redis-server child process that each test starts, stops and
// restarts on its own port, so outages can be staged without touching the shared stack.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <atomic>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "platform/redis/client.hpp"
#include "platform/testing/redis_server.hpp"
#include "platform/testing/run_sync.hpp"
#include "platform/testing/test_env.hpp"

namespace platform::redis {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using platform::testing::FreePort;
using platform::testing::RedisServer;

using platform::testenv::Eventually;
using platform::testing::RunSync;

Result<std::vector<Reply>> Exec(Client& client, std::vector<Command> commands) {
  return RunSync(client.Execute(std::move(commands)));
}

Result<Reply> Exec1(Client& client, Command command) {
  return RunSync(client.Execute1(std::move(command)));
}

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int port = FreePort();
    ASSERT_GT(port, 0);
    server_ = std::make_unique<RedisServer>(port);
    auto failed = server_->Start();
    ASSERT_FALSE(failed.has_value()) << *failed;
  }

  void TearDown() override { server_.reset(); }

  std::unique_ptr<Client> MakeClient(std::chrono::milliseconds timeout = 2s) {
    return std::make_unique<Client>("127.0.0.1", server_->port(), 2, timeout);
  }

  std::unique_ptr<RedisServer> server_;
};

TEST_F(RedisClientTest, SetGetRoundTrip) {
  auto client = MakeClient();
  auto set = Exec1(*client, {"SET", "greeting", "hello"});
  ASSERT_TRUE(set) << set.error().detail;
  EXPECT_EQ(set->type, Reply::Type::kStatus);
  EXPECT_EQ(set->text, "OK");
  auto get = Exec1(*client, {"GET", "greeting"});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->type, Reply::Type::kString);
  EXPECT_EQ(get->text, "hello");
  auto missing = Exec1(*client, {"GET", "nothing-here"});
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->IsNil());
  EXPECT_TRUE(client->LastCallSucceeded());
  EXPECT_TRUE(RunSync(client->Ping()));
}

TEST_F(RedisClientTest, ValuesAreBinarySafe) {
  auto client = MakeClient();
  std::string key("k\0ey\r\n", 6);
  std::string small("a\0b\r\nc", 6);
  std::string big(100 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131 + 7) % 256);
  std::vector<Command> commands{
      {"SET", key, small}, {"GET", key}, {"SET", "big", big}, {"GET", "big"}, {"STRLEN", "big"}};
  auto replies = Exec(*client, std::move(commands));
  ASSERT_TRUE(replies) << replies.error().detail;
  ASSERT_EQ(replies->size(), 5u);
  EXPECT_EQ((*replies)[1].text, small);
  EXPECT_EQ((*replies)[3].text, big);
  EXPECT_EQ((*replies)[4].integer, 100 * 1024);
}

TEST_F(RedisClientTest, PipelineRepliesComeInOrder) {
  auto client = MakeClient();
  std::vector<Command> commands;
  for (int i = 0; i < 50; ++i) {
    commands.push_back({"RPUSH", "ordered", std::to_string(i)});
    commands.push_back({"ECHO", "echo-" + std::to_string(i)});
  }
  auto replies = Exec(*client, std::move(commands));
  ASSERT_TRUE(replies) << replies.error().detail;
  ASSERT_EQ(replies->size(), 100u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ((*replies)[2 * i].integer, i + 1);
    EXPECT_EQ((*replies)[2 * i + 1].text, "echo-" + std::to_string(i));
  }
  auto range = Exec1(*client, {"LRANGE", "ordered", "0", "2"});
  ASSERT_TRUE(range);
  ASSERT_EQ(range->type, Reply::Type::kArray);
  ASSERT_EQ(range->elements.size(), 3u);
  EXPECT_EQ(range->elements[2].text, "2");
}

boost::asio::awaitable<void> SetThenGet(Client& client, int i, std::atomic<int>& correct) {
  std::string key = "concurrent:" + std::to_string(i);
  std::string value = "value-" + std::to_string(i * 7);
  std::vector<Command> commands;
  commands.push_back(Command{"SET", key, value});
  commands.push_back(Command{"GET", key});
  auto replies = co_await client.Execute(std::move(commands));
  if (replies && replies->size() == 2 && (*replies)[1].text == value) ++correct;
}

TEST_F(RedisClientTest, ConcurrentCallersShareTheConnection) {
  auto client = MakeClient();
  constexpr int kCalls = 200;
  std::atomic<int> correct{0};
  boost::asio::io_context io(2);
  for (int i = 0; i < kCalls; ++i) {
    boost::asio::co_spawn(io, SetThenGet(*client, i, correct), boost::asio::detached);
  }
  std::thread second([&io] { io.run(); });
  io.run();
  second.join();
  EXPECT_EQ(correct.load(), kCalls);
  auto keys = Exec1(*client, {"DBSIZE"});
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->integer, kCalls);
}

TEST_F(RedisClientTest, ErrorReplyFailsTheCallButNotTheConnection) {
  auto client = MakeClient();
  ASSERT_TRUE(Exec1(*client, {"SET", "word", "not-a-number"}));
  auto incr = Exec1(*client, {"INCR", "word"});
  ASSERT_FALSE(incr);
  EXPECT_EQ(incr.error().kind, ErrorKind::kInternal);
  EXPECT_TRUE(client->LastCallSucceeded());  // Redis answered; nothing is unavailable

  std::vector<Command> mixed{{"SET", "n", "1"}, {"INCR", "word"}, {"INCR", "n"}};
  auto replies = Exec(*client, std::move(mixed));
  ASSERT_FALSE(replies);
  EXPECT_EQ(replies.error().kind, ErrorKind::kInternal);

  auto n = Exec1(*client, {"GET", "n"});  // the rest of the pipeline still ran, in order
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(n->text, "2");
}

TEST_F(RedisClientTest, StoppedRedisFailsFastAndRecoversAfterRestart) {
  auto client = MakeClient(250ms);
  ASSERT_TRUE(Exec1(*client, {"SET", "before", "1"}));
  server_->Stop();

  for (int i = 0; i < 3; ++i) {  // the call that finds the broken socket, then the fast ones
    auto start = Clock::now();
    auto reply = Exec1(*client, {"GET", "before"});
    auto took = Clock::now() - start;
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().kind, ErrorKind::kUnavailable);
    EXPECT_LT(took, 1s);
    EXPECT_FALSE(client->LastCallSucceeded());
  }
  EXPECT_FALSE(RunSync(client->Ping()));

  auto failed = server_->Start();
  ASSERT_FALSE(failed.has_value()) << *failed;
  EXPECT_TRUE(Eventually([&] { return Exec1(*client, {"SET", "after", "1"}).has_value(); }, 5s));
  EXPECT_TRUE(client->LastCallSucceeded());
}

TEST_F(RedisClientTest, PingConnectsAtOnceAfterAnOutage) {
  auto client = MakeClient(250ms);
  ASSERT_TRUE(RunSync(client->Ping()));
  server_->Stop();
  // Several failures push the reconnect back-off to its ceiling.
  auto give_up = Clock::now() + 3s;
  while (Clock::now() < give_up) {
    ASSERT_FALSE(Exec1(*client, {"PING"}));
    std::this_thread::sleep_for(100ms);
  }
  auto failed = server_->Start();
  ASSERT_FALSE(failed.has_value()) << *failed;
  auto start = Clock::now();
  EXPECT_TRUE(RunSync(client->Ping()));
  EXPECT_LT(Clock::now() - start, 1s);
}

TEST_F(RedisClientTest, SlowReplyTimesOutAndTheConnectionIsReplaced) {
  auto client = MakeClient(250ms);
  ASSERT_TRUE(RunSync(client->Ping()));
  auto start = Clock::now();
  auto slow = Exec1(*client, {"DEBUG", "SLEEP", "1"});
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().kind, ErrorKind::kUnavailable);
  EXPECT_LT(Clock::now() - start, 900ms);
  EXPECT_TRUE(Eventually([&] { return Exec1(*client, {"PING"}).has_value(); }, 5s));
}

TEST_F(RedisClientTest, KeysExpire) {
  auto client = MakeClient();
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::vector<Command> commands{{"SET", "px", "v", "PX", "200"},
                                {"SET", "pxat", "v", "PXAT", std::to_string(now_ms + 300)},
                                {"GET", "px"},
                                {"PTTL", "pxat"}};
  auto replies = Exec(*client, std::move(commands));
  ASSERT_TRUE(replies) << replies.error().detail;
  EXPECT_EQ((*replies)[2].text, "v");
  EXPECT_GT((*replies)[3].integer, 0);
  EXPECT_LE((*replies)[3].integer, 300);
  auto gone = [&](const char* key) {
    auto reply = Exec1(*client, {"GET", key});
    return reply && reply->IsNil();
  };
  EXPECT_TRUE(Eventually([&] { return gone("px"); }, 3s));
  EXPECT_TRUE(Eventually([&] { return gone("pxat"); }, 3s));
}

TEST_F(RedisClientTest, DestructorFailsCallsInFlight) {
  auto client = MakeClient();
  ASSERT_TRUE(RunSync(client->Ping()));
  boost::asio::io_context io;
  std::optional<Result<Reply>> result;
  auto call = [](Client& c, std::optional<Result<Reply>>& out) -> boost::asio::awaitable<void> {
    Command command{"DEBUG", "SLEEP", "0.5"};
    auto reply = co_await c.Execute1(std::move(command));
    out.emplace(std::move(reply));
  };
  boost::asio::co_spawn(io, call(*client, result), boost::asio::detached);
  // The call is posted to the client's thread before the destructor's shutdown, so it is on
  // the wire (or at least queued) when the client goes away; the server still sleeps.
  io.poll();
  client.reset();
  io.run();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().kind, ErrorKind::kUnavailable);
}

}  // namespace
}  // namespace platform::redis
