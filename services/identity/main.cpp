// The identity service: users, credentials, sessions and access tokens. Reads its settings,
// opens the platform's pieces, wires the use cases to their adapters, and serves.

#include <stdexcept>
#include <utility>

#include "app/use_cases.hpp"
#include "infra/auth/jwks_file.hpp"
#include "infra/auth/session_tokens.hpp"
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

int Run(int argc, char** argv) {
  platform::Config config("identity", "users, credentials, sessions and access tokens");
  auto settings = infra::ReadIdentitySettings(config);
  const auto& service = settings.service;
  const auto access_ttl = settings.revocation.access_ttl;
  config.Finish(argc, argv);
  platform::log::Init("identity");

  // Platform pieces: the database (migrated), the cache, the broker and the outbox relay.
  platform::service::Migrate(service.pg_conninfo, "identity", migrations::EmbeddedFiles());
  platform::pg::Pool pool(service.pg_conninfo, service.pg_pool_size);
  platform::redis::Client redis(service.redis_host, service.redis_port, 2);
  auto js = platform::bus::JetStream::Connect(service.nats_url, "identity");
  if (!js) throw std::runtime_error("cannot reach NATS: " + js.error().detail);
  if (auto s = platform::bus::EnsureEventStreams(**js, settings.events); !s) {
    throw std::runtime_error("cannot create the event streams: " + s.error().detail);
  }
  platform::bus::OutboxRelay relay(service.pg_conninfo, **js, settings.relay);
  relay.Start();

  // Tokens: this service signs them and verifies them like every other service does.
  auto key = infra::LoadSigningKey(service.key_dir);
  std::vector<platform::auth::VerifyingKey> public_keys{key.Public()};
  auto jwks = platform::auth::JwksJson(public_keys);
  infra::PublishJwks(service.key_dir, jwks);
  platform::auth::TokenSigner signer(std::move(key), service.jwt_issuer, service.jwt_audience,
                                     access_ttl);
  platform::auth::TokenVerifier verifier(public_keys, service.jwt_issuer, service.jwt_audience);
  platform::auth::Revocations revocation_list(**js, redis, settings.revocation);
  platform::http::AuthGuard guard(verifier, revocation_list.List());
  platform::http::UserRateLimit rate_limit(settings.rate);

  // The use cases' ports and rule data.
  infra::PgUserStore store(pool, access_ttl);
  infra::SodiumPasswordHasher hasher(settings.argon, settings.hash_workers, settings.hash_queue);
  infra::RedisLoginThrottle throttle(redis, settings.limits);
  infra::JwtSessionTokens tokens(signer, settings.refresh_ttl, settings.session_max);
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
  infra::AddIdentityRoutes(router, deps, guard, rate_limit, std::move(jwks));

  platform::service::Serve("identity", service.server, std::move(router));
  relay.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return platform::service::RunMain("identity", Run, argc, argv); }
