// The HTTP server on a real loopback socket: limits, request ids, keep-alive, shutdown.

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

#include <atomic>
#include <future>
#include <string>
#include <thread>

namespace {

using platform::testing::LoopbackClient;
using platform::testing::ServerUnderTest;

using platform::http::Request;
using platform::http::Response;

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(platform::http::Router router) {
    server_.Start(std::move(router));
    port_ = server_.port();
  }
  void TearDown() override { ASSERT_TRUE(server_.Stop()); }
  ServerUnderTest server_;
  int port_ = 0;
};

platform::http::Router EchoRouter() {
  platform::http::Router router;
  router.Add("POST", "/echo", [](Request& r) -> boost::asio::awaitable<Response> {
    co_return Response::Json(200, "{\"size\":" + std::to_string(r.body.size()) + "}");
  });
  router.Add("GET", "/items/{id}", [](Request& r) -> boost::asio::awaitable<Response> {
    co_return Response::Json(200, "{\"id\":\"" + r.params.at("id") + "\"}");
  });
  return router;
}

TEST_F(HttpServerTest, BodyOver64KiBIsRefusedWith413Problem) {
  Start(EchoRouter());
  LoopbackClient client(port_);
  ASSERT_TRUE(client.Connected());
  std::string body(70 * 1024, 'x');
  client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\n\r\n" + body);
  auto response = client.ReadResponse();
  EXPECT_NE(response.find("HTTP/1.1 413"), std::string::npos) << response;
  EXPECT_NE(response.find("application/problem+json"), std::string::npos);
  EXPECT_NE(response.find("payload-too-large"), std::string::npos);
}

TEST_F(HttpServerTest, BodyOfExactly64KiBIsAccepted) {
  Start(EchoRouter());
  LoopbackClient client(port_);
  std::string body(64 * 1024, 'x');
  client.Send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  auto response = client.ReadResponse();
  EXPECT_NE(response.find("HTTP/1.1 200"), std::string::npos) << response.substr(0, 200);
  EXPECT_NE(response.find("{\"size\":65536}"), std::string::npos);
}

TEST_F(HttpServerTest, SaneRequestIdIsEchoedAndInsaneOneReplaced) {
  Start(EchoRouter());
  LoopbackClient client(port_);
  client.Send("GET /items/7 HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-123\r\n\r\n");
  EXPECT_NE(client.ReadResponse().find("abc-123"), std::string::npos);
  client.Send("GET /items/7 HTTP/1.1\r\nHost: t\r\nX-Request-Id: bad id <script>\r\n\r\n");
  auto response = client.ReadResponse();
  EXPECT_EQ(response.find("<script>"), std::string::npos);
  EXPECT_NE(response.find("X-Request-Id: "), std::string::npos);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Start(EchoRouter());
  LoopbackClient client(port_);
  for (int i = 0; i < 3; ++i) {
    client.Send("GET /items/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n");
    auto response = client.ReadResponse();
    EXPECT_NE(response.find("{\"id\":\"" + std::to_string(i) + "\"}"), std::string::npos);
  }
}

TEST_F(HttpServerTest, UnknownPathAndWrongMethodAreProblems) {
  Start(EchoRouter());
  LoopbackClient client(port_);
  client.Send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(client.ReadResponse().find("HTTP/1.1 404"), std::string::npos);
  client.Send("DELETE /echo HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(client.ReadResponse().find("HTTP/1.1 405"), std::string::npos);
}

TEST_F(HttpServerTest, ShutdownLetsTheInFlightRequestFinish) {
  std::promise<void> entered;
  platform::http::Router router;
  router.Add("GET", "/slow", [&entered](Request&) -> boost::asio::awaitable<Response> {
    entered.set_value();
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(300));
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return Response::Json(200, "{\"done\":true}");
  });
  Start(std::move(router));
  LoopbackClient client(port_);
  client.Send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  entered.get_future().wait();
  server_.Shutdown();
  auto response = client.ReadResponse();
  EXPECT_NE(response.find("{\"done\":true}"), std::string::npos);
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(server_.WaitStopped(std::chrono::seconds(5)));
  LoopbackClient late(port_);
  EXPECT_FALSE(late.Connected());
}

TEST_F(HttpServerTest, HandlerExceptionBecomesInternalProblemWithoutDetails) {
  platform::http::Router router;
  router.Add("GET", "/boom", [](Request&) -> boost::asio::awaitable<Response> {
    throw std::runtime_error("SELECT secret FROM internals");
    co_return Response::NoContent();
  });
  Start(std::move(router));
  LoopbackClient client(port_);
  client.Send("GET /boom HTTP/1.1\r\nHost: t\r\n\r\n");
  auto response = client.ReadResponse();
  EXPECT_NE(response.find("HTTP/1.1 500"), std::string::npos);
  EXPECT_EQ(response.find("SELECT"), std::string::npos);
}

}  // namespace
