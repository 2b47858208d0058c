#pragma once
// IdempotencyStore: remembers POST /v1/tasks responses by (user, Idempotency-Key) for 24 h in
// Redis, so a retried create returns the first response instead of creating twice.

#include <optional>
#include <string>

#include "platform/http/message.hpp"
#include "platform/redis/client.hpp"

namespace tasks::infra {

// IdempotencyStore: Begin claims a key (or reports how an earlier request with it went);
// Finish stores the response; Abandon frees the key after a failure nothing was created for.
class IdempotencyStore {
 public:
  explicit IdempotencyStore(platform::redis::Client& redis) : redis_(redis) {}

  // What Begin found.
  struct Claim {
    enum class Kind { kClaimed, kReplay, kInProgress, kMismatch, kUnavailable };
    Kind kind = Kind::kClaimed;
    platform::http::Response replay;
  };

  boost::asio::awaitable<Claim> Begin(std::string user_id, std::string key, std::string body_hash);
  boost::asio::awaitable<void> Finish(std::string user_id, std::string key, std::string body_hash,
                                      platform::http::Response response);
  boost::asio::awaitable<void> Abandon(std::string user_id, std::string key);

 private:
  platform::redis::Client& redis_;
};

// SHA-256 (hex) of a request body: what "the same body" means for a retried key.
std::string BodyHash(std::string_view body);

}  // namespace tasks::infra
