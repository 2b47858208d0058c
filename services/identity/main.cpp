// The identity service: users, credentials, sessions and access tokens. Reads its settings,
// opens the platform's pieces, wires the use cases to their adapters, and serves.
//
//   identity                   serves the API; reads TODO_KEY_DIR again every
//                              TODO_KEY_RELOAD_SECONDS, so a rotation reaches it by itself
//   identity rotate-key        adds a new signing key to TODO_KEY_DIR, published at once and
//                              signing after TODO_KEY_ACTIVATION_DELAY_SECONDS; the key it
//                              replaces stays published until its last token has expired
//                              (TODO_ACCESS_TTL_SECONDS + 60 s later), so nobody is logged out
//   identity rotate-key --now  for a leaked key: the new key signs at once and every other key
//                              is dropped (their tokens are refused; clients refresh them)

#include <cstring>
#include <iostream>
#include <stdexcept>
#include <utility>

#include "app/use_cases.hpp"
#include "infra/auth/key_directory.hpp"
#include "infra/auth/key_ring_file.hpp"
#include "infra/auth/session_tokens.hpp"
#include "infra/auth/signing_keys.hpp"
#include "infra/config/identity_settings.hpp"
#include "infra/crypto/sodium_password_hasher.hpp"
#include "infra/data/common_passwords.hpp"
#include "infra/pg/pg_user_store.hpp"
#include "infra/redis/redis_login_throttle.hpp"
#include "infra/rest/identity_routes.hpp"
#include "infra/zone/zoneinfo.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/auth/jwt.hpp"
#include "platform/auth/revocations.hpp"
#include "platform/bus/event_streams.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/config.hpp"
#include "platform/http/operational_routes.hpp"
#include "platform/http/user_rate_limit.hpp"
#include "platform/log.hpp"
#include "platform/pg/pool.hpp"
#include "platform/redis/client.hpp"
#include "platform/service.hpp"

namespace identity::migrations {
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}

namespace {

using namespace identity;

// `identity rotate-key [--now] ...`: takes the command (and --now, set in `at_once`) off the
// arguments the flags are read from.
bool TakeRotateCommand(int& argc, char**& argv, bool& at_once) {
  if (argc < 2 || std::strcmp(argv[1], "rotate-key") != 0) return false;
  argv[1] = argv[0];
  --argc;
  ++argv;
  at_once = argc >= 2 && std::strcmp(argv[1], "--now") == 0;
  if (at_once) {
    argv[1] = argv[0];
    --argc;
    ++argv;
  }
  return true;
}

int RotateKey(const infra::IdentitySettings& settings, bool at_once) {
  const std::int64_t now = platform::auth::SystemNowUnix();
  const domain::RotationTimes times{settings.keys.activation_delay.count(),
                                    settings.revocation.access_ttl.count()};
  const auto& dir = settings.service.key_dir;
  auto rotation = infra::RotateSigningKey(dir, now, times, at_once);
  if (!rotation) throw std::runtime_error("rotate-key: " + rotation.error().detail);
  std::cout << "new signing key " << rotation->kid << " in " << dir << "\n";
  for (const auto& key : rotation->after.keys) {
    std::cout << "  " << key.kid << (key.kid == rotation->kid ? " (new)" : "") << "  signs from "
              << infra::RingTime(key.activate_at) << "  retires "
              << (key.retire_at ? "at " + infra::RingTime(*key.retire_at)
                                : std::string("after a later rotation"))
              << "\n";
  }
  for (const auto& file : rotation->deleted) std::cout << "  deleted " << file << "\n";
  return 0;
}

int Run(int argc, char** argv) {
  bool at_once = false;
  const bool rotate = TakeRotateCommand(argc, argv, at_once);
  platform::Config config("identity",
                          "users, credentials, sessions and access tokens "
                          "(`identity rotate-key [--now]` rotates the signing key)");
  auto settings = infra::ReadIdentitySettings(config);
  const auto& service = settings.service;
  const auto access_ttl = settings.revocation.access_ttl;
  config.Finish(argc, argv);
  if (rotate) return RotateKey(settings, at_once);
  platform::log::Init("identity");

  // Signing keys first: a malformed key directory stops start-up before anything else. Tokens
  // are signed with the ring's current key and verified like every other service does (by kid,
  // against every published key); the directory is read again every few seconds.
  auto key_set = infra::LoadKeyDirectory(service.key_dir, platform::auth::SystemNowUnix(), true);
  if (!key_set) throw std::runtime_error(key_set.error().detail);
  platform::auth::TokenVerifier verifier({}, service.jwt_issuer, service.jwt_audience);
  infra::SigningKeys keys(std::move(*key_set),
                          {service.jwt_issuer, service.jwt_audience, access_ttl}, verifier);
  auto jwks_file = infra::PublishJwks(service.key_dir, *keys.Jwks());
  if (!jwks_file) throw std::runtime_error(jwks_file.error().detail);
  if (*jwks_file == infra::JwksFile::kReadOnly) {
    platform::log::Info("the key directory is read-only: the JWKS is served over HTTP only",
                        {{"dir", service.key_dir}});
  }
  infra::KeyDirectoryWatcher key_watcher(service.key_dir, keys, settings.keys.reload);
  key_watcher.Start();

  // Platform pieces: the database (migrated), the cache, the broker and the outbox relay.
  platform::service::Migrate(service.pg_conninfo, "identity", migrations::EmbeddedFiles());
  platform::pg::Pool pool(service.pg_conninfo, service.pg_pool_size);
  platform::redis::Client redis(service.redis, 2);
  auto js = platform::bus::JetStream::Connect(service.nats_url, "identity");
  if (!js) throw std::runtime_error("cannot reach NATS: " + js.error().detail);
  if (auto s = platform::bus::EnsureEventStreams(**js, settings.events); !s) {
    throw std::runtime_error("cannot create the event streams: " + s.error().detail);
  }
  platform::bus::OutboxRelay relay(service.pg_conninfo, **js, settings.relay);
  relay.Start();

  platform::auth::Revocations revocation_list(**js, redis, settings.revocation);
  platform::http::AuthGuard guard(verifier, revocation_list.List());
  platform::http::UserRateLimit rate_limit(settings.rate);

  // The use cases' ports and rule data.
  infra::PgUserStore store(pool, access_ttl);
  infra::SodiumPasswordHasher hasher(settings.argon, settings.hash_workers, settings.hash_queue);
  infra::RedisLoginThrottle throttle(redis, settings.limits);
  infra::JwtSessionTokens tokens(keys, settings.refresh_ttl, settings.session_max);
  infra::ListAccessRevocations revocations(revocation_list.List());
  infra::SystemEnvironment environment;
  domain::CommonPasswords common(infra::CommonPasswordsText());
  domain::TimezoneCatalog timezones(infra::InstalledTimezones());
  app::IdentityDeps deps{store,       hasher,      throttle, tokens,
                         revocations, environment, common,   timezones};

  platform::http::Router router;
  auto checks = platform::service::ReadinessChecks(pool, redis, **js);
  checks.push_back(revocation_list.Readiness());
  platform::http::AddOperationalRoutes(router, std::move(checks));
  infra::AddIdentityRoutes(router, deps, guard, rate_limit, keys);

  platform::service::Serve("identity", service.server, std::move(router));
  relay.Stop();
  key_watcher.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return platform::service::RunMain("identity", Run, argc, argv); }
