#include "platform/auth/revocations.hpp"

namespace platform::auth {

RevocationSettings ReadRevocationSettings(Config& config) {
  RevocationSettings s;
  s.access_ttl = std::chrono::seconds(config.Integer(
      "TODO_ACCESS_TTL_SECONDS", 900, 60, 3600,
      "access token lifetime (identity mints with it; every service replays revocations over it)"));
  s.max_entries = static_cast<std::size_t>(config.Integer(
      "TODO_REVOCATION_MAX", static_cast<std::int64_t>(RevocationSet::kDefaultMaxEntries), 1000,
      100'000'000,
      "revoked sessions held in memory (about 60 bytes each); beyond it authenticated requests "
      "get 503 until entries expire"));
  return s;
}

Revocations::Revocations(bus::JetStream& js, redis::Client& redis,
                         const RevocationSettings& settings)
    : set_(settings.max_entries),
      list_(set_, redis),
      feed_(js, set_, RevocationFeedOptions{.window = RevocationWindow(settings.access_ttl)}) {
  feed_.Start();
}

http::ReadinessCheck Revocations::Readiness() {
  return {"revocations", [this]() -> boost::asio::awaitable<bool> { co_return list_.Ready(); }};
}

}  // namespace platform::auth
