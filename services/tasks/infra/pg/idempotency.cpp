#include "infra/pg/idempotency.hpp"

#include <rapidjson/document.h>

#include "platform/digest.hpp"
#include "platform/json.hpp"

namespace tasks::infra {
namespace {

constexpr std::size_t kMaxKeyLength = 255;

std::string Seconds(std::chrono::seconds s) { return std::to_string(s.count()); }

std::string Key(const std::string& user_id, const std::string& key) {
  return "idem:" + user_id + ":" + key;
}

std::string Pending(const std::string& hash) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("state", "pending");
  w.Field("hash", hash);
  w.EndObject();
  return w.Take();
}

}  // namespace

std::string BodyHash(std::string_view body) { return platform::Sha256Hex(body); }

platform::Result<void> CheckIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) {
    return std::unexpected(
        platform::Error::InvalidField("Idempotency-Key", "must be 1 to 255 characters"));
  }
  for (char c : key) {
    if (c < 0x20 || c > 0x7e) {
      return std::unexpected(platform::Error::InvalidField(
          "Idempotency-Key", "must be printable ASCII characters only"));
    }
  }
  return {};
}

platform::Error KeyInProgress() {
  return platform::Error::Conflict("a request with this Idempotency-Key is still being processed");
}

platform::Error KeyReusedWithAnotherBody() {
  return platform::Error::Unprocessable("this Idempotency-Key was used with a different body");
}

boost::asio::awaitable<IdempotencyStore::Claim> IdempotencyStore::Begin(std::string user_id,
                                                                        std::string key,
                                                                        std::string body_hash) {
  std::vector<platform::redis::Command> commands;
  commands.push_back({"SET", Key(user_id, key), Pending(body_hash), "NX", "EX", Seconds(pending_)});
  commands.push_back({"GET", Key(user_id, key)});
  auto replies = co_await redis_.Execute(std::move(commands));
  Claim claim;
  if (!replies) {
    claim.kind = Claim::Kind::kUnavailable;
    co_return claim;
  }
  if (!(*replies)[0].IsNil()) co_return claim;  // SET NX succeeded: this request owns the key
  rapidjson::Document stored;
  stored.Parse((*replies)[1].text.c_str());
  // A value that is not a claim is answered as a request still running (its claim expires).
  if (!stored.IsObject() || !stored.HasMember("hash") || !stored["hash"].IsString() ||
      !stored.HasMember("state") || !stored["state"].IsString()) {
    claim.kind = Claim::Kind::kInProgress;
    co_return claim;
  }
  if (std::string_view(stored["hash"].GetString()) != body_hash) {
    claim.kind = Claim::Kind::kMismatch;
    co_return claim;
  }
  if (std::string_view(stored["state"].GetString()) != "done") {
    claim.kind = Claim::Kind::kInProgress;
    co_return claim;
  }
  // A response that cannot be replayed from Redis: PostgreSQL, which keeps the key, answers.
  if (!stored.HasMember("status") || !stored["status"].IsInt() || !stored.HasMember("body") ||
      !stored["body"].IsString() || !stored.HasMember("headers") || !stored["headers"].IsObject()) {
    claim.kind = Claim::Kind::kUnavailable;
    co_return claim;
  }
  for (const auto& h : stored["headers"].GetObject()) {
    if (!h.value.IsString()) {
      claim.kind = Claim::Kind::kUnavailable;
      co_return claim;
    }
  }
  claim.kind = Claim::Kind::kReplay;
  claim.replay.status = stored["status"].GetInt();
  claim.replay.body = stored["body"].GetString();
  for (const auto& h : stored["headers"].GetObject()) {
    claim.replay.headers.emplace_back(h.name.GetString(), h.value.GetString());
  }
  claim.replay.headers.emplace_back("Idempotent-Replayed", "true");
  co_return claim;
}

boost::asio::awaitable<void> IdempotencyStore::Finish(std::string user_id, std::string key,
                                                      std::string body_hash,
                                                      platform::http::Response response) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("state", "done");
  w.Field("hash", body_hash);
  w.Field("status", response.status);
  w.Field("body", response.body);
  w.Key("headers");
  w.StartObject();
  for (const auto& [name, value] : response.headers) w.Field(name, value);
  w.EndObject();
  w.EndObject();
  std::vector<platform::redis::Command> commands;
  commands.push_back(
      {"SET", Key(user_id, key), w.Take(), "EX",
       Seconds(std::chrono::duration_cast<std::chrono::seconds>(kIdempotencyKeyLifetime))});
  (void)co_await redis_.Execute(std::move(commands));
}

boost::asio::awaitable<void> IdempotencyStore::Abandon(std::string user_id, std::string key) {
  std::vector<platform::redis::Command> commands;
  commands.push_back({"DEL", Key(user_id, key)});
  (void)co_await redis_.Execute(std::move(commands));
}

}  // namespace tasks::infra
