// Streamed responses (Response::stream) on a real loopback socket: chunked framing and headers,
// each chunk on the wire as soon as it is written, and Write answering false once the client
// has gone or the server is stopping.

#include <utility>

#include "platform/http/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "loopback_client.hpp"
#include "platform/testing/test_env.hpp"

namespace {

namespace asio = boost::asio;
using platform::http::Request;
using platform::http::Response;
using platform::http::StreamWriter;
using platform::testing::ConnectLoopback;
using platform::testing::LoopbackClient;
using platform::testing::ServerUnderTest;
using namespace std::chrono_literals;

// Gate: a streaming handler parks on it until the test thread opens it; no sleeps. The handler
// waits on a timer of its own executor, and Open cancels that timer there.
class Gate {
 public:
  asio::awaitable<void> Wait() {
    auto executor = co_await asio::this_coro::executor;
    auto timer = std::make_shared<asio::steady_timer>(executor);
    timer->expires_at(asio::steady_timer::time_point::max());
    {
      std::lock_guard lock(mutex_);
      if (opened_) co_return;
      timer_ = timer;
    }
    // Open's cancel is posted to this executor, so it runs only once this wait is pending.
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  void Open() {
    std::lock_guard lock(mutex_);
    opened_ = true;
    if (auto timer = timer_.lock()) {
      asio::post(timer->get_executor(), [timer] { timer->cancel(); });
    }
  }

 private:
  std::mutex mutex_;
  bool opened_ = false;
  // Not owned: the timer must not outlive the server's io_context (the handler's frame owns it).
  std::weak_ptr<asio::steady_timer> timer_;
};

// StreamClient: a blocking loopback socket (receive timeout 5 s) that reads a response as raw
// bytes, for responses without a Content-Length.
class StreamClient {
 public:
  explicit StreamClient(int port) { fd_ = ConnectLoopback(port, connected_); }
  ~StreamClient() { Close(); }
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  bool Connected() const { return connected_; }
  bool Send(const std::string& data) const {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Reads until `needle` has arrived; false when the connection ended or 5 s passed first.
  bool ReadUntil(std::string_view needle) {
    while (received.find(needle) == std::string::npos) {
      if (!Fill()) return false;
    }
    return true;
  }
  // Reads until the server closes; false when 5 s passed first.
  bool ReadToEnd() {
    for (;;) {
      char chunk[4096];
      auto n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
      received.append(chunk, static_cast<std::size_t>(n));
    }
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  std::string received;

 private:
  bool Fill() {
    char chunk[4096];
    auto n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    received.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
};

// The head of a raw response (through the blank line).
std::string Head(const std::string& raw) { return raw.substr(0, raw.find("\r\n\r\n") + 4); }

// The body of a complete chunked response, or nullopt when the framing is wrong or unfinished.
std::optional<std::string> Dechunk(const std::string& raw) {
  auto at = raw.find("\r\n\r\n");
  if (at == std::string::npos) return std::nullopt;
  at += 4;
  std::string body;
  for (;;) {
    auto line_end = raw.find("\r\n", at);
    if (line_end == std::string::npos) return std::nullopt;
    std::size_t size = std::stoul(raw.substr(at, line_end - at), nullptr, 16);
    at = line_end + 2;
    if (size == 0) {
      if (raw.compare(at, std::string::npos, "\r\n") != 0) return std::nullopt;
      return body;
    }
    if (raw.size() < at + size + 2 || raw.compare(at + size, 2, "\r\n") != 0) return std::nullopt;
    body += raw.substr(at, size);
    at += size + 2;
  }
}

// A 200 event stream whose body `body` writes.
Response EventStream(platform::http::StreamBody body) {
  Response response;
  response.status = 200;
  response.SetHeader("Content-Type", "text/event-stream");
  response.SetHeader("Cache-Control", "no-cache");
  response.stream = std::move(body);
  return response;
}

// What a streaming handler saw, reported to the test thread.
struct Outcome {
  bool write_ok = true;
  bool stopping = false;
  int writes = 0;
  bool write_after_failure = true;
};

asio::awaitable<void> FirstThenSecond(Gate* gate, std::atomic<bool>* second_started,
                                      StreamWriter& writer) {
  std::string first = "data: first\n\n";
  if (!co_await writer.Write(std::move(first))) co_return;
  co_await gate->Wait();
  second_started->store(true);
  std::string second = "data: second\n\n";
  co_await writer.Write(std::move(second));
}

asio::awaitable<void> UntilRefused(Gate* gate, std::promise<Outcome>* done, StreamWriter& writer) {
  std::string first = "data: first\n\n";
  co_await writer.Write(std::move(first));
  co_await gate->Wait();
  Outcome outcome;
  // The client closed: the first writes may still fit in the socket's buffer, but the peer's
  // reset soon makes one fail. Bounded, so a broken Write fails the test instead of hanging.
  while (outcome.writes < 100000) {
    std::string chunk(1024, 'x');
    ++outcome.writes;
    if (!co_await writer.Write(std::move(chunk))) {
      outcome.write_ok = false;
      break;
    }
  }
  std::string after = "data: after\n\n";
  outcome.write_after_failure = co_await writer.Write(std::move(after));
  outcome.stopping = writer.Stopping();
  done->set_value(outcome);
}

asio::awaitable<void> FirstThenReport(Gate* gate, std::promise<Outcome>* done,
                                      StreamWriter& writer) {
  std::string first = "data: first\n\n";
  co_await writer.Write(std::move(first));
  co_await gate->Wait();
  Outcome outcome;
  std::string second = "data: second\n\n";
  outcome.write_ok = co_await writer.Write(std::move(second));
  outcome.stopping = writer.Stopping();
  done->set_value(outcome);
}

asio::awaitable<void> FirstThenThrow(StreamWriter& writer) {
  std::string first = "data: first\n\n";
  co_await writer.Write(std::move(first));
  throw std::runtime_error("the stream broke");
}

class HttpStreamTest : public ::testing::Test {
 protected:
  // Serves GET /stream with the given body.
  void Start(platform::http::StreamBody body) {
    platform::http::Router router;
    router.Add("GET", "/stream",
               [body = std::move(body)](Request&) { return Respond(EventStream(body)); });
    server_.Start(std::move(router));
    port_ = server_.port();
  }
  void TearDown() override {
    gate_.Open();  // a handler still parked must not hold the shutdown up
    ASSERT_TRUE(server_.Stop());
  }
  static asio::awaitable<Response> Respond(Response response) { co_return response; }

  std::unique_ptr<StreamClient> Get() {
    auto client = std::make_unique<StreamClient>(port_);
    EXPECT_TRUE(client->Connected());
    EXPECT_TRUE(client->Send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n"));
    return client;
  }

  // What handlers touch lives as long as the server: a handler still parked when a test fails
  // early is resumed by TearDown.
  Gate gate_;
  std::atomic<bool> second_started_{false};
  std::promise<Outcome> done_;
  ServerUnderTest server_;
  int port_ = 0;
};

TEST_F(HttpStreamTest, ChunksReachTheClientAsTheyAreWrittenWithChunkedHeaders) {
  Gate* gate = &gate_;
  std::atomic<bool>* started = &second_started_;
  Start([gate, started](StreamWriter& writer) { return FirstThenSecond(gate, started, writer); });
  auto client = Get();

  // The first chunk arrives while the handler is still parked before writing the second.
  ASSERT_TRUE(client->ReadUntil("data: first\n\n")) << client->received;
  EXPECT_FALSE(second_started_.load());
  EXPECT_EQ(client->received.find("second"), std::string::npos);
  auto head = Head(client->received);
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Cache-Control: no-cache\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Request-Id: "), std::string::npos) << head;
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;

  gate_.Open();
  // The handler returns after the second: the last chunk ends the body, then the connection.
  ASSERT_TRUE(client->ReadToEnd());
  EXPECT_TRUE(second_started_.load());
  auto body = Dechunk(client->received);
  ASSERT_TRUE(body.has_value()) << client->received;
  EXPECT_EQ(*body, "data: first\n\ndata: second\n\n");
}

TEST_F(HttpStreamTest, WriteAnswersFalseOnceTheClientHasClosed) {
  auto outcome = done_.get_future();
  Gate* gate = &gate_;
  std::promise<Outcome>* report = &done_;
  Start([gate, report](StreamWriter& writer) { return UntilRefused(gate, report, writer); });
  auto client = Get();
  ASSERT_TRUE(client->ReadUntil("data: first\n\n")) << client->received;
  client->Close();
  gate_.Open();

  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  auto seen = outcome.get();
  EXPECT_FALSE(seen.write_ok) << "still writable after " << seen.writes << " writes";
  EXPECT_FALSE(seen.write_after_failure);  // and it stays false
  EXPECT_FALSE(seen.stopping);             // the server itself is not stopping
  // The server still serves others.
  LoopbackClient other(port_);
  ASSERT_TRUE(other.Connected());
  other.Send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(other.ReadResponse().find("HTTP/1.1 404"), std::string::npos);
}

TEST_F(HttpStreamTest, ServerShutdownEndsAStreamAtItsNextWrite) {
  auto outcome = done_.get_future();
  Gate* gate = &gate_;
  std::promise<Outcome>* report = &done_;
  Start([gate, report](StreamWriter& writer) { return FirstThenReport(gate, report, writer); });
  auto client = Get();
  ASSERT_TRUE(client->ReadUntil("data: first\n\n")) << client->received;

  server_.Shutdown();
  // Once new connections are refused, the server is stopping.
  ASSERT_TRUE(
      platform::testenv::Eventually([this] { return !StreamClient(port_).Connected(); }, 5000ms));
  gate_.Open();
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  auto seen = outcome.get();
  EXPECT_FALSE(seen.write_ok);
  EXPECT_TRUE(seen.stopping);
  EXPECT_EQ(client->received.find("second"), std::string::npos);
}

TEST_F(HttpStreamTest, StreamThatThrowsStillEndsItsBodyProperly) {
  Start([](StreamWriter& writer) { return FirstThenThrow(writer); });
  auto client = Get();
  ASSERT_TRUE(client->ReadToEnd());
  auto body = Dechunk(client->received);
  ASSERT_TRUE(body.has_value()) << client->received;
  EXPECT_EQ(*body, "data: first\n\n");
}

}  // namespace
