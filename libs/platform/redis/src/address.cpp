#include "platform/redis/address.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <memory>

#include "platform/comma_list.hpp"

namespace platform::redis {
namespace {

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};

// One Sentinel's answer to SENTINEL get-master-addr-by-name: [ip, port], or nil when it does
// not know the name.
Result<Endpoint> AskSentinel(const Endpoint& sentinel, const std::string& master,
                             std::chrono::milliseconds timeout) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  timeval tv{static_cast<time_t>(micros / 1'000'000), static_cast<suseconds_t>(micros % 1'000'000)};
  std::unique_ptr<redisContext, ContextFree> c(
      redisConnectWithTimeout(sentinel.host.c_str(), sentinel.port, tv));
  if (!c || c->err != 0) return std::unexpected(Error::Unavailable("sentinel unreachable"));
  redisSetTimeout(c.get(), tv);
  std::unique_ptr<redisReply, ReplyFree> reply(static_cast<redisReply*>(
      redisCommand(c.get(), "SENTINEL get-master-addr-by-name %s", master.c_str())));
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_STRING ||
      reply->element[1]->type != REDIS_REPLY_STRING) {
    return std::unexpected(Error::Unavailable("sentinel names no master"));
  }
  Endpoint master_at{std::string(reply->element[0]->str, reply->element[0]->len), 0};
  std::string_view port(reply->element[1]->str, reply->element[1]->len);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), master_at.port);
  if (ec != std::errc() || end != port.data() + port.size()) {
    return std::unexpected(Error::Unavailable("sentinel answered a malformed port"));
  }
  return master_at;
}

}  // namespace

Result<std::vector<Endpoint>> ParseEndpoints(std::string_view list) {
  std::vector<Endpoint> out;
  for (std::string_view entry : CommaList(list)) {
    auto colon = entry.rfind(':');
    int port = 0;
    bool parsed = false;
    if (colon != std::string_view::npos && colon > 0) {
      auto digits = entry.substr(colon + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
      parsed =
          ec == std::errc() && end == digits.data() + digits.size() && port > 0 && port <= 65535;
    }
    if (!parsed) {
      return std::unexpected(Error::Validation("\"" + std::string(entry) + "\" is not host:port"));
    }
    out.push_back({std::string(entry.substr(0, colon)), port});
  }
  return out;
}

Result<Endpoint> ResolveServer(const Address& address, std::chrono::milliseconds timeout) {
  if (address.sentinels.empty()) return address.server;
  for (const auto& sentinel : address.sentinels) {
    if (auto master = AskSentinel(sentinel, address.master_name, timeout)) return master;
  }
  return std::unexpected(Error::Unavailable("no sentinel names a master"));
}

}  // namespace platform::redis
