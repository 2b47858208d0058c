// Request framing (RFC 9112 section 6) and body media types, on a real loopback socket with raw
// bytes, and the framing check on its own.

#include <utility>

#include "platform/http/framing.hpp"
#include "platform/http/server.hpp"
#include "platform/metrics.hpp"

#include "loopback_client.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using platform::http::CheckFraming;
using platform::http::HeaderList;
using platform::http::Request;
using platform::http::Response;
using platform::testing::Clock;
using platform::testing::LoopbackClient;
using platform::testing::ServerUnderTest;

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

class HttpFramingTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.Start(EchoRouter()); }
  void TearDown() override { ASSERT_TRUE(server_.Stop()); }

  // Sends `request`, expects a 400 problem that closes the connection, and returns everything
  // the server sent until it closed (so a smuggled second answer would show).
  std::string ExpectRefusedAndClosed(const std::string& request) {
    LoopbackClient client(server_.port());
    EXPECT_TRUE(client.Connected());
    client.Send(request);
    auto response = client.ReadResponse();
    EXPECT_NE(response.find("HTTP/1.1 400"), std::string::npos) << response;
    EXPECT_NE(response.find("application/problem+json"), std::string::npos) << response;
    EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
    EXPECT_TRUE(client.WaitForClose(Clock::now(), std::chrono::seconds(4)).has_value());
    return response + client.received;
  }

  ServerUnderTest server_;
};

// The body of the bodiless-looking request is a whole second request.
constexpr std::string_view kSmuggled = "GET /items/smuggled HTTP/1.1\r\nHost: t\r\n\r\n";

TEST_F(HttpFramingTest, TransferEncodingOtherThanAFinalChunkedIsRefusedAndNotSmuggled) {
  for (std::string coding :
       {"chunked, identity", "identity", "gzip, chunked", "chunked;x=1", "chunked, chunked"}) {
    auto seen = ExpectRefusedAndClosed(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: " +
        coding + "\r\n\r\n" + std::string(kSmuggled));
    EXPECT_EQ(seen.find("smuggled"), std::string::npos) << coding << ": " << seen;
  }
}

TEST_F(HttpFramingTest, TwoTransferEncodingFieldsAreRefused) {
  auto seen = ExpectRefusedAndClosed(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n" +
      std::string(kSmuggled));
  EXPECT_EQ(seen.find("smuggled"), std::string::npos) << seen;
}

TEST_F(HttpFramingTest, TransferEncodingWithContentLengthIsRefused) {
  auto seen = ExpectRefusedAndClosed(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
      std::string(kSmuggled));
  EXPECT_EQ(seen.find("smuggled"), std::string::npos) << seen;
}

TEST_F(HttpFramingTest, DuplicateOrInvalidContentLengthIsRefused) {
  for (std::string lengths :
       {"Content-Length: 2\r\nContent-Length: 2\r\n", "Content-Length: 2\r\nContent-Length: 40\r\n",
        "Content-Length: 2, 2\r\n", "Content-Length: +2\r\n", "Content-Length: 0x2\r\n"}) {
    ExpectRefusedAndClosed("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" +
                           lengths + "\r\n{}");
  }
}

TEST_F(HttpFramingTest, Http11WithoutHostOrWithTwoIsRefused) {
  ExpectRefusedAndClosed("GET /items/1 HTTP/1.1\r\n\r\n");
  ExpectRefusedAndClosed("GET /items/1 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
}

TEST_F(HttpFramingTest, TransferEncodingInHttp10IsRefused) {
  ExpectRefusedAndClosed(
      "POST /echo HTTP/1.0\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
}

TEST_F(HttpFramingTest, ASingleFinalChunkedAndHttp10WithoutHostAreServed) {
  LoopbackClient client(server_.port());
  client.Send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  auto response = client.ReadResponse();
  EXPECT_NE(response.find("HTTP/1.1 200"), std::string::npos) << response;
  EXPECT_NE(response.find("{\"size\":2}"), std::string::npos) << response;
  LoopbackClient old(server_.port());
  old.Send("GET /items/1 HTTP/1.0\r\n\r\n");
  EXPECT_NE(old.ReadResponse().find("{\"id\":\"1\"}"), std::string::npos);
}

TEST(CheckFraming, JudgesTheHeaderAlone) {
  auto ok = [](unsigned version, HeaderList headers) {
    return CheckFraming(version, headers).has_value();
  };
  EXPECT_TRUE(ok(11, {{"host", "t"}}));
  EXPECT_TRUE(ok(11, {{"host", "t"}, {"content-length", "12"}}));
  EXPECT_TRUE(ok(11, {{"host", "t"}, {"transfer-encoding", " chunked "}}));
  EXPECT_TRUE(ok(11, {{"host", "t"}, {"transfer-encoding", ", chunked"}}));
  EXPECT_TRUE(ok(10, {}));
  EXPECT_FALSE(ok(11, {}));
  EXPECT_FALSE(ok(11, {{"host", "t"}, {"transfer-encoding", "chunked, identity"}}));
  EXPECT_FALSE(ok(11, {{"host", "t"}, {"transfer-encoding", ""}}));
  EXPECT_FALSE(ok(11, {{"host", "t"}, {"transfer-encoding", "chunked"}, {"content-length", "0"}}));
  EXPECT_FALSE(ok(11, {{"host", "t"}, {"content-length", "1"}, {"content-length", "1"}}));
  EXPECT_FALSE(ok(11, {{"host", "t"}, {"content-length", "-1"}}));
  EXPECT_FALSE(ok(11, {{"host", "t"}, {"content-length", "99999999999999999999"}}));
  EXPECT_FALSE(ok(10, {{"transfer-encoding", "chunked"}}));
}

TEST(IsJsonMediaType, AcceptsJsonWithParametersInAnyCase) {
  EXPECT_TRUE(platform::http::IsJsonMediaType("application/json"));
  EXPECT_TRUE(platform::http::IsJsonMediaType("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(platform::http::IsJsonMediaType(" application/json ;charset=UTF-8"));
  EXPECT_FALSE(platform::http::IsJsonMediaType(""));
  EXPECT_FALSE(platform::http::IsJsonMediaType("application/xml"));
  EXPECT_FALSE(platform::http::IsJsonMediaType("application/json-patch+json"));
  EXPECT_FALSE(platform::http::IsJsonMediaType("text/json"));
}

class HttpMediaTypeTest : public HttpFramingTest {
 protected:
  std::string Post(const std::string& content_type_line, const std::string& body) {
    LoopbackClient client(server_.port());
    client.Send("POST /echo HTTP/1.1\r\nHost: t\r\n" + content_type_line +
                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return client.ReadResponse();
  }
};

TEST_F(HttpMediaTypeTest, BodyThatIsNotJsonIs415Problem) {
  for (std::string line :
       {"Content-Type: application/xml\r\n", "", "Content-Type: text/plain\r\n"}) {
    auto response = Post(line, "<a/>");
    EXPECT_NE(response.find("HTTP/1.1 415"), std::string::npos) << line << response;
    EXPECT_NE(response.find("application/problem+json"), std::string::npos) << response;
    EXPECT_NE(response.find("/problems/unsupported-media-type"), std::string::npos) << response;
  }
}

TEST_F(HttpMediaTypeTest, JsonWithParametersAndAnEmptyBodyAreServed) {
  EXPECT_NE(Post("Content-Type: Application/JSON; charset=utf-8\r\n", "{}").find("HTTP/1.1 200"),
            std::string::npos);
  EXPECT_NE(Post("", "").find("{\"size\":0}"), std::string::npos);
  EXPECT_NE(Post("Content-Type: application/xml\r\n", "").find("HTTP/1.1 200"), std::string::npos);
}

std::size_t RequestSeries() {
  auto text = platform::metrics::DefaultRegistry().Render();
  std::size_t series = 0;
  for (std::size_t at = text.find("\nhttp_request"); at != std::string::npos;
       at = text.find("\nhttp_request", at + 1)) {
    ++series;
  }
  return series;
}

TEST_F(HttpFramingTest, MadeUpMethodsAndPathsAddNoMetricSeries) {
  LoopbackClient client(server_.port());
  auto send = [&client](const std::string& method, const std::string& path) {
    client.Send(method + " " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
    return client.ReadResponse();
  };
  // One of each kind first: an unknown path (404) and a known one with a made-up method (405).
  EXPECT_NE(send("SECPROBE", "/v1/tasks").find("HTTP/1.1 404"), std::string::npos);
  EXPECT_NE(send("SECPROBE", "/echo").find("HTTP/1.1 405"), std::string::npos);
  auto before = RequestSeries();
  ASSERT_GT(before, 0u);
  for (int i = 0; i < 50; ++i) {
    auto n = std::to_string(i);
    EXPECT_NE(send("SECPROBEX" + n, "/v1/tasks/" + n).find("HTTP/1.1 404"), std::string::npos);
    EXPECT_NE(send("PROBE" + n, "/echo").find("HTTP/1.1 405"), std::string::npos);
  }
  EXPECT_EQ(RequestSeries(), before);
  auto text = platform::metrics::DefaultRegistry().Render();
  EXPECT_EQ(text.find("SECPROBEX"), std::string::npos);
  EXPECT_NE(text.find("method=\"other\""), std::string::npos) << text;
}

}  // namespace
