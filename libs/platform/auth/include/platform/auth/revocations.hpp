#pragma once
// Revocations: what every verifying service runs so that a revoked session stays refused: the
// in-memory set, the feed that fills it from the stream, and the list its AuthGuard asks.

#include <chrono>
#include <cstddef>

#include "platform/auth/revocation.hpp"
#include "platform/auth/revocation_feed.hpp"
#include "platform/auth/revocation_set.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/config.hpp"
#include "platform/http/operational_routes.hpp"
#include "platform/redis/client.hpp"

namespace platform::auth {

// RevocationSettings: TODO_ACCESS_TTL_SECONDS (identity mints with it; every service replays
// revocations over it) and TODO_REVOCATION_MAX.
struct RevocationSettings {
  std::chrono::seconds access_ttl{900};
  std::size_t max_entries = RevocationSet::kDefaultMaxEntries;
};
// Declares and reads them (call before Config::Finish).
RevocationSettings ReadRevocationSettings(Config& config);

// Revocations: starts following the stream at construction; stops when destroyed.
class Revocations {
 public:
  Revocations(bus::JetStream& js, redis::Client& redis, const RevocationSettings& settings);
  Revocations(const Revocations&) = delete;
  Revocations& operator=(const Revocations&) = delete;

  RevocationList& List() { return list_; }
  // See RevocationSet::SetListener: each revoked session, or "" when everyone must re-check.
  void SetListener(RevocationSet::Listener listener) { set_.SetListener(std::move(listener)); }
  // /readyz's "revocations" check: ready once the replay has caught up, and while the set holds
  // every revocation (authenticated requests get 503 otherwise).
  http::ReadinessCheck Readiness();

 private:
  RevocationSet set_;
  RevocationList list_;
  RevocationFeed feed_;
};

}  // namespace platform::auth
