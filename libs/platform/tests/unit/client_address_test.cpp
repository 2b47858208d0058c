// Who sent a request: X-Forwarded-For believed only from configured proxies.

#include <utility>

#include "platform/http/client_address.hpp"

#include "loopback_client.hpp"

#include <gtest/gtest.h>

#include "platform/http/message.hpp"
#include "platform/http/server.hpp"

namespace {

using platform::http::ClientAddress;
using platform::http::Request;
using platform::http::TrustedProxies;

TrustedProxies Trust(std::string_view list) {
  auto parsed = TrustedProxies::Parse(list);
  EXPECT_TRUE(parsed.has_value()) << list;
  return parsed.value_or(TrustedProxies{});
}

Request From(std::string peer, std::vector<std::string> forwarded = {}) {
  Request request;
  request.remote_address = std::move(peer);
  for (auto& value : forwarded) request.headers.emplace_back("x-forwarded-for", std::move(value));
  return request;
}

TEST(ClientAddress, ForwardedForFromAnUntrustedPeerIsNotBelieved) {
  // The default: no proxy is trusted, loopback included.
  EXPECT_EQ(ClientAddress(From("127.0.0.1", {"203.0.113.9"}), TrustedProxies{}), "127.0.0.1");
  EXPECT_EQ(ClientAddress(From("::1", {"203.0.113.9"}), TrustedProxies{}), "::1");
  EXPECT_EQ(ClientAddress(From("198.51.100.7", {"203.0.113.9"}), Trust("127.0.0.1")),
            "198.51.100.7");
}

TEST(ClientAddress, TrustedPeerGivesTheRightMostHopThatIsNotAProxy) {
  auto trusted = Trust("127.0.0.1, 10.0.0.0/8");
  EXPECT_EQ(ClientAddress(From("127.0.0.1", {"203.0.113.9"}), trusted), "203.0.113.9");
  // The client may write anything on the left; only the hops our proxies appended count.
  EXPECT_EQ(ClientAddress(From("127.0.0.1", {"1.1.1.1, 203.0.113.9, 10.1.2.3"}), trusted),
            "203.0.113.9");
  EXPECT_EQ(ClientAddress(From("127.0.0.1", {"1.1.1.1", "203.0.113.9,10.1.2.3"}), trusted),
            "203.0.113.9");
  // Every hop a proxy: the left-most is where the request came from.
  EXPECT_EQ(ClientAddress(From("127.0.0.1", {"10.0.0.1, 10.0.0.2"}), trusted), "10.0.0.1");
  EXPECT_EQ(ClientAddress(From("127.0.0.1"), trusted), "127.0.0.1");
}

TEST(ClientAddress, MalformedForwardedForFallsBackToThePeer) {
  auto trusted = Trust("127.0.0.1");
  for (std::string bad : {"", "not-an-ip", "203.0.113.9:8080", "[2001:db8::1]", "1.2.3.4 5.6.7.8",
                          "203.0.113.9, ", "999.1.1.1", "fe80::1%eth0"}) {
    EXPECT_EQ(ClientAddress(From("127.0.0.1", {bad}), trusted), "127.0.0.1") << bad;
  }
  // A malformed hop nearer than a good one hides it: nothing beyond it is believed.
  EXPECT_EQ(ClientAddress(From("127.0.0.1", {"203.0.113.9, junk"}), trusted), "127.0.0.1");
}

TEST(ClientAddress, Ipv6AndIpv4MappedPeersAndNetworks) {
  auto trusted = Trust("2001:db8::/32, ::1");
  EXPECT_EQ(ClientAddress(From("2001:db8:1::5", {"2001:DB8:FFFF::1, 2001:db8::9"}), trusted),
            "2001:db8:ffff::1");
  EXPECT_EQ(ClientAddress(From("2001:db9::1", {"203.0.113.9"}), trusted), "2001:db9::1");
  EXPECT_EQ(ClientAddress(From("::1", {"203.0.113.9"}), trusted), "203.0.113.9");
  auto v4 = Trust("192.0.2.0/24");
  EXPECT_EQ(ClientAddress(From("::ffff:192.0.2.10", {"203.0.113.9"}), v4), "203.0.113.9");
  EXPECT_EQ(ClientAddress(From("192.0.3.1", {"203.0.113.9"}), v4), "192.0.3.1");
}

TEST(TrustedProxies, ParsesAddressesAndCidrsAndRefusesTheRest) {
  auto list = Trust("127.0.0.1,10.0.0.0/8 , 172.16.0.0/12,::1,fd00::/8,0.0.0.0/0");
  EXPECT_TRUE(list.Contains("10.255.0.1"));
  EXPECT_TRUE(list.Contains("fd12::1"));
  EXPECT_FALSE(TrustedProxies{}.Contains("127.0.0.1"));
  EXPECT_TRUE(Trust("").Empty());
  EXPECT_TRUE(Trust("10.0.0.0/8").Contains("10.0.0.0"));
  EXPECT_FALSE(Trust("10.0.0.0/8").Contains("11.0.0.0"));
  EXPECT_FALSE(Trust("10.0.0.1/32").Contains("10.0.0.2"));
  EXPECT_TRUE(Trust("10.0.0.0/7").Contains("11.0.0.0"));
  for (std::string bad :
       {"localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x", "10.0.0.0/-1", "1.2.3"}) {
    auto parsed = TrustedProxies::Parse(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_NE(parsed.error().detail.find("TODO_TRUSTED_PROXIES"), std::string::npos);
  }
}

TEST(ClientAddress, OneArgumentFormIsWhatTheServerWorkedOut) {
  auto request = From("127.0.0.1", {"203.0.113.9"});
  EXPECT_EQ(ClientAddress(request), "127.0.0.1");
  request.client_address = "203.0.113.9";
  EXPECT_EQ(ClientAddress(request), "203.0.113.9");
}

// The server on loopback, as a service behind the gateway: whether the forged header counts is
// the configuration's call, not the peer being loopback.
std::string AddressSeenByServer(std::string_view trusted) {
  platform::http::Router router;
  router.Add("GET", "/who", [](Request& r) -> boost::asio::awaitable<platform::http::Response> {
    co_return platform::http::Response::Json(200, "{\"client\":\"" + ClientAddress(r) + "\"}");
  });
  auto options = platform::testing::ServerUnderTest::Options();
  options.trusted_proxies = Trust(trusted);
  platform::testing::ServerUnderTest server;
  server.Start(std::move(router), options);
  platform::testing::LoopbackClient client(server.port());
  client.Send("GET /who HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n");
  auto response = client.ReadResponse();
  EXPECT_TRUE(server.Stop());
  return response.substr(response.find("\r\n\r\n") + 4);
}

TEST(ClientAddress, ServerBelievesForwardedForOnlyFromConfiguredProxies) {
  EXPECT_EQ(AddressSeenByServer(""), "{\"client\":\"127.0.0.1\"}");
  EXPECT_EQ(AddressSeenByServer("127.0.0.1"), "{\"client\":\"203.0.113.9\"}");
}

}  // namespace
