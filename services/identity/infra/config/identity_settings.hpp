#pragma once
// IdentitySettings: everything the identity service reads from its environment, declared in
// one place (so `identity --help` lists it) and read once at start-up.

#include <chrono>

#include "infra/crypto/sodium_password_hasher.hpp"
#include "infra/redis/redis_login_throttle.hpp"
#include "platform/auth/revocations.hpp"
#include "platform/bus/event_streams.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/config.hpp"
#include "platform/http/user_rate_limit.hpp"
#include "platform/service.hpp"

namespace identity::infra {

// KeySettings: the signing keys' directory is read again every `reload`; `identity rotate-key`
// publishes a new key for `activation_delay` before it signs.
struct KeySettings {
  std::chrono::seconds reload{0};
  std::chrono::seconds activation_delay{0};
};

// IdentitySettings: the platform's service settings and identity's own.
struct IdentitySettings {
  platform::service::ServiceSettings service;
  platform::auth::RevocationSettings revocation;  // its access_ttl is the access tokens' lifetime
  std::chrono::seconds refresh_ttl{0};
  std::chrono::seconds session_max{0};  // a session's absolute lifetime, however often refreshed
  Argon2idParams argon;
  int hash_workers = 0;
  int hash_queue = 0;
  LoginLimits limits;
  platform::http::UserRateLimitOptions rate;
  platform::bus::EventStreamSettings events;
  platform::bus::OutboxRelayOptions relay;
  KeySettings keys;
};

// Declares every setting on `config` and reads it; the caller then calls config.Finish().
IdentitySettings ReadIdentitySettings(platform::Config& config);

}  // namespace identity::infra
