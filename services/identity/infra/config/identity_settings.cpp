#include "infra/config/identity_settings.hpp"

#include "platform/bus/relay_settings.hpp"

namespace identity::infra {

IdentitySettings ReadIdentitySettings(platform::Config& config) {
  IdentitySettings s;
  s.service = platform::service::ReadServiceSettings(
      config, "identity", "TODO_IDENTITY_PORT", 8081,
      "directory holding the signing keys, keyring.json and jwks.json (a key is created on "
      "first start)");
  s.revocation = platform::auth::ReadRevocationSettings(config);
  s.refresh_ttl = std::chrono::seconds(config.Integer("TODO_REFRESH_TTL_SECONDS", 30 * 86400, 3600,
                                                      365 * 86400, "refresh token lifetime"));
  s.session_max = std::chrono::seconds(
      config.Integer("TODO_SESSION_MAX_SECONDS", 90 * 86400, 3600, 365 * 86400,
                     "absolute lifetime of a session, however often refreshed"));
  s.argon.ops_limit = static_cast<unsigned long long>(
      config.Integer("TODO_ARGON2_OPS", 2, 1, 10, "Argon2id iterations (t)"));
  s.argon.mem_limit = static_cast<std::size_t>(
      config.Integer("TODO_ARGON2_MEM_KIB", 19456, 8192, 1048576, "Argon2id memory in KiB (m)") *
      1024);
  s.hash_workers =
      static_cast<int>(config.Integer("TODO_HASH_WORKERS", 2, 1, 64, "concurrent Argon2id hashes"));
  s.hash_queue = static_cast<int>(config.Integer("TODO_HASH_QUEUE", 32, 0, 10000,
                                                 "hashes allowed to wait before logins get 503"));
  s.limits.per_email = static_cast<int>(config.Integer("TODO_LOGIN_MAX_PER_EMAIL", 10, 1, 100000,
                                                       "failed logins per email / 15 min"));
  s.limits.per_client = static_cast<int>(config.Integer(
      "TODO_LOGIN_MAX_PER_CLIENT", 100, 1, 1000000, "failed logins per address / 15 min"));
  s.limits.registrations_per_client = static_cast<int>(
      config.Integer("TODO_REGISTER_PER_HOUR", 300, 1, 100000000,
                     "registrations per client address per hour (each costs a hash)"));
  s.rate = platform::http::ReadUserRateLimitOptions(config);
  s.events = platform::bus::ReadEventStreamSettings(config);
  s.relay = platform::bus::ReadOutboxRelayOptions(config, s.events);
  s.keys.reload = std::chrono::seconds(
      config.Integer("TODO_KEY_RELOAD_SECONDS", 5, 1, 3600,
                     "how often (s) the key directory is read again (a rotation, a changed "
                     "Secret: new keys are published, retired ones dropped)"));
  s.keys.activation_delay = std::chrono::seconds(config.Integer(
      "TODO_KEY_ACTIVATION_DELAY_SECONDS", 300, 0, 7 * 86400,
      "identity rotate-key: how long (s) a new key is published before it signs; longer than "
      "the verifiers' key refresh (60 s) plus the time a changed key directory takes to reach "
      "every identity replica"));
  return s;
}

}  // namespace identity::infra
