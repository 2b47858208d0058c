// The HTTP server's connection timeouts on a real loopback socket: idle connections and
// slowloris clients are cut off, busy connections and slow handlers are not.

#include <utility>

#include "platform/http/server.hpp"

#include "loopback_client.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

namespace {

using platform::testing::ConnectLoopback;
using platform::testing::LoopbackClient;
using platform::testing::ServerUnderTest;

using platform::http::Request;
using platform::http::Response;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

class HttpTimeoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    platform::http::Router router;
    router.Add("GET", "/", [](Request&) -> boost::asio::awaitable<Response> {
      co_return Response::Json(200, "{\"ok\":true}");
    });
    router.Add("POST", "/echo", [](Request& r) -> boost::asio::awaitable<Response> {
      co_return Response::Json(200, "{\"size\":" + std::to_string(r.body.size()) + "}");
    });
    // Longer than read_timeout: the time a handler takes is not the client's time to send.
    router.Add("GET", "/slow", [](Request&) -> boost::asio::awaitable<Response> {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
      timer.expires_after(milliseconds(1600));
      co_await timer.async_wait(boost::asio::use_awaitable);
      co_return Response::Json(200, "{\"slow\":true}");
    });
    auto options = ServerUnderTest::Options();
    options.idle_timeout = seconds(1);
    options.read_timeout = seconds(1);
    server_.Start(std::move(router), options);
    port_ = server_.port();
  }
  void TearDown() override { ASSERT_TRUE(server_.Stop()); }

  static double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

  ServerUnderTest server_;
  int port_ = 0;
};

TEST_F(HttpTimeoutTest, IdleConnectionIsClosedAfterIdleTimeout) {
  LoopbackClient client(port_);
  ASSERT_TRUE(client.Connected());
  auto started = Clock::now();
  auto closed = client.WaitForClose(started, seconds(3));
  ASSERT_TRUE(closed.has_value()) << "an idle connection was still open after 3 s";
  // Not closed at once either: the idle timeout (1 s) is what ends it.
  EXPECT_GE(Seconds(*closed), 0.8);
  EXPECT_TRUE(client.received.empty()) << client.received;
}

TEST_F(HttpTimeoutTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  LoopbackClient client(port_);
  ASSERT_TRUE(client.Connected());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_NE(response.find("HTTP/1.1 200"), std::string::npos) << response;
  auto started = Clock::now();
  auto closed = client.WaitForClose(started, seconds(3));
  ASSERT_TRUE(closed.has_value()) << "an idle keep-alive connection was still open after 3 s";
  EXPECT_GE(Seconds(*closed), 0.8);
}

TEST_F(HttpTimeoutTest, SlowlorisUnfinishedHeadersAreClosed) {
  LoopbackClient client(port_);
  ASSERT_TRUE(client.Connected());
  auto started = Clock::now();
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n"));
  auto closed = client.WaitForClose(started, seconds(3));
  ASSERT_TRUE(closed.has_value()) << "a request with unfinished headers held the connection 3 s";
  EXPECT_EQ(client.received.find("HTTP/1.1 200"), std::string::npos) << client.received;
}

TEST_F(HttpTimeoutTest, SlowlorisTricklingHeaderBytesDoesNotExtendTheDeadline) {
  LoopbackClient client(port_);
  ASSERT_TRUE(client.Connected());
  auto started = Clock::now();
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n"));
  // One header byte every 100 ms: each byte arrives well inside any per-read timeout, yet the
  // headers never end. The server must cut the connection off anyway.
  bool cut_off = false;
  int sent = 0;
  while (Clock::now() - started < seconds(3)) {
    if (!client.Send(sent % 2 == 0 ? "X" : "-")) {
      cut_off = true;
      break;
    }
    ++sent;
    std::this_thread::sleep_for(milliseconds(100));  // pacing the attack, not synchronising
  }
  if (!cut_off) {
    // The kernel may buffer a few writes after the server closed; the read side tells.
    auto closed = client.WaitForClose(Clock::now(), milliseconds(500));
    cut_off = closed.has_value();
  }
  EXPECT_TRUE(cut_off) << "a client trickling " << sent << " header bytes kept the connection "
                       << Seconds(Clock::now() - started) << " s";
}

TEST_F(HttpTimeoutTest, SlowBodyIsClosedAfterReadTimeout) {
  LoopbackClient client(port_);
  ASSERT_TRUE(client.Connected());
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"));
  auto started = Clock::now();
  auto closed = client.WaitForClose(started, seconds(3));
  ASSERT_TRUE(closed.has_value()) << "a body that never finished held the connection 3 s";
  EXPECT_EQ(client.received.find("HTTP/1.1 200"), std::string::npos) << client.received;
}

TEST_F(HttpTimeoutTest, BusyConnectionWithCompleteRequestsIsNotClosed) {
  LoopbackClient client(port_);
  ASSERT_TRUE(client.Connected());
  auto started = Clock::now();
  int served = 0;
  // 2.5 s of traffic, more than idle_timeout + read_timeout together, one request every 250 ms.
  while (Clock::now() - started < milliseconds(2500)) {
    ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        << "connection closed after " << served << " requests";
    auto response = client.ReadResponse();
    ASSERT_NE(response.find("HTTP/1.1 200"), std::string::npos)
        << "request " << served << " after " << Seconds(Clock::now() - started)
        << " s: " << response;
    ++served;
    std::this_thread::sleep_for(milliseconds(250));  // pacing the client, not synchronising
  }
  EXPECT_GE(served, 8);
}

TEST_F(HttpTimeoutTest, HandlerSlowerThanReadTimeoutStillAnswers) {
  LoopbackClient client(port_);
  ASSERT_TRUE(client.Connected());
  ASSERT_TRUE(client.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = client.ReadResponse();
  EXPECT_NE(response.find("HTTP/1.1 200"), std::string::npos) << response;
  EXPECT_NE(response.find("{\"slow\":true}"), std::string::npos) << response;
  // And the connection is still usable afterwards.
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  response = client.ReadResponse();
  EXPECT_NE(response.find("HTTP/1.1 200"), std::string::npos) << response;
}

}  // namespace
