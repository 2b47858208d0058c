#pragma once
// Idempotency-Key of POST /v1/tasks. PostgreSQL keeps the record (idempotency_keys, written in
// the create's own transaction by PgTaskRepository); IdempotencyStore keeps in Redis a fast path
// for retries and a short in-flight claim that answers 409 while the first request runs. Redis
// keeps no data, and losing it loses no key: a retry then reaches PostgreSQL, which answers it.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "platform/error.hpp"
#include "platform/http/message.hpp"
#include "platform/redis/client.hpp"

namespace tasks::infra {

// IdempotencyStore: Begin claims a key in Redis (or reports how an earlier request with it
// went); Finish stores the response; Abandon frees the key after a failure.
class IdempotencyStore {
 public:
  // `pending`: how long a claim holds its key while its request runs. Short, so that a process
  // that died mid-request blocks retries only briefly; PostgreSQL arbitrates past it anyway.
  explicit IdempotencyStore(platform::redis::Client& redis,
                            std::chrono::seconds pending = std::chrono::seconds(60))
      : redis_(redis), pending_(pending) {}

  // What Begin found. kUnavailable: Redis did not answer (the create goes on, under the key).
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
  std::chrono::seconds pending_;
};

// How long a key counts (API.md): a retry within it gets the first response.
inline constexpr std::chrono::hours kIdempotencyKeyLifetime{24};

// SHA-256 (hex) of a request body: what "the same body" means for a retried key.
std::string BodyHash(std::string_view body);

// An Idempotency-Key header is 1..255 printable ASCII characters (else 400, type validation).
platform::Result<void> CheckIdempotencyKey(std::string_view key);

// 409: the first request under the key is still running.
platform::Error KeyInProgress();
// 422: the key was used with another body.
platform::Error KeyReusedWithAnotherBody();

}  // namespace tasks::infra
