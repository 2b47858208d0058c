// The identity service: users, credentials, sessions and access tokens.

#include <utility>

#include <filesystem>
#include <fstream>
#include <thread>

#include "app/use_cases.hpp"
#include "infra/pg/pg_user_store.hpp"
#include "infra/redis/redis_login_throttle.hpp"
#include "infra/rest/identity_routes.hpp"
#include "infra/auth/session_tokens.hpp"
#include "infra/crypto/sodium_password_hasher.hpp"
#include "infra/zone/zoneinfo.hpp"
#include "platform/auth/jwt.hpp"
#include "platform/auth/revocations.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/config.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/http/operational_routes.hpp"
#include "platform/http/server.hpp"
#include "platform/http/user_rate_limit.hpp"
#include "platform/log.hpp"
#include "platform/pg/migrations.hpp"
#include "platform/pg/pool.hpp"
#include "platform/redis/client.hpp"
#include "platform/service.hpp"

namespace identity::migrations {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_files();
}
namespace identity::data {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_files();
}

namespace {

using namespace identity;

std::string_view EmbeddedFile(std::string_view name) {
  for (const auto& [file, text] : data::embedded_files()) {
    if (file == name) return text;
  }
  throw std::runtime_error("embedded file missing: " + std::string(name));
}

// Verifiers on this host (tasks, progress) read the public keys from here instead of calling
// identity; written to a temporary file and renamed, so a reader never sees half a file.
void PublishJwks(const std::string& path, const std::string& jwks) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << jwks;
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

int Run(int argc, char** argv) {
  platform::Config config("identity", "users, credentials, sessions and access tokens");
  auto settings = platform::service::ReadServiceSettings(
      config, "identity", "TODO_IDENTITY_PORT", 8081,
      "directory holding the signing key (created on first start)");
  auto& server = settings.server;
  const auto& pg_conninfo = settings.pg_conninfo;
  const auto& key_dir = settings.key_dir;
  auto revocation_settings = platform::auth::ReadRevocationSettings(config);
  auto access_ttl = revocation_settings.access_ttl.count();
  auto refresh_ttl = config.Integer("TODO_REFRESH_TTL_SECONDS", 30 * 86400, 3600, 365 * 86400,
                                    "refresh token lifetime");
  auto session_max = config.Integer("TODO_SESSION_MAX_SECONDS", 90 * 86400, 3600, 365 * 86400,
                                    "absolute lifetime of a session, however often refreshed");
  identity::infra::Argon2idParams argon;
  argon.ops_limit = static_cast<unsigned long long>(
      config.Integer("TODO_ARGON2_OPS", 2, 1, 10, "Argon2id iterations (t)"));
  argon.mem_limit = static_cast<std::size_t>(
      config.Integer("TODO_ARGON2_MEM_KIB", 19456, 8192, 1048576, "Argon2id memory in KiB (m)") *
      1024);
  auto hash_workers = config.Integer("TODO_HASH_WORKERS", 2, 1, 64, "concurrent Argon2id hashes");
  auto hash_queue = config.Integer("TODO_HASH_QUEUE", 32, 0, 10000,
                                   "hashes allowed to wait before logins get 503");
  infra::LoginLimits limits;
  limits.per_email = static_cast<int>(config.Integer("TODO_LOGIN_MAX_PER_EMAIL", 10, 1, 100000,
                                                     "failed logins per email / 15 min"));
  limits.per_client = static_cast<int>(config.Integer("TODO_LOGIN_MAX_PER_CLIENT", 100, 1, 1000000,
                                                      "failed logins per address / 15 min"));
  limits.registrations_per_client = static_cast<int>(
      config.Integer("TODO_REGISTER_PER_HOUR", 300, 1, 100000000,
                     "registrations per client address per hour (each costs a hash)"));
  auto rate = platform::http::ReadUserRateLimitOptions(config);
  config.Finish(argc, argv);
  platform::log::Init("identity");

  platform::service::Migrate(pg_conninfo, "identity", migrations::embedded_files());

  platform::pg::Pool pool(pg_conninfo, settings.pg_pool_size);
  platform::redis::Client redis(settings.redis_host, settings.redis_port, 2);
  auto js = platform::bus::JetStream::Connect(settings.nats_url, "identity");
  if (!js) throw std::runtime_error("cannot reach NATS: " + js.error().detail);
  if (auto s = (*js)->EnsureStream({}); !s) {
    throw std::runtime_error("cannot create the TODO stream: " + s.error().detail);
  }
  platform::bus::OutboxRelay relay(pg_conninfo, **js);
  relay.Start();

  std::filesystem::create_directories(key_dir);
  auto key = platform::auth::SigningKey::LoadOrCreate(key_dir + "/identity-ed25519.pem");
  std::vector<platform::auth::VerifyingKey> public_keys{key.Public()};
  auto jwks = platform::auth::JwksJson(public_keys);
  PublishJwks(key_dir + "/jwks.json", jwks);
  platform::auth::TokenSigner signer(std::move(key), settings.jwt_issuer, settings.jwt_audience,
                                     std::chrono::seconds(access_ttl));
  platform::auth::TokenVerifier verifier(public_keys, settings.jwt_issuer, settings.jwt_audience);
  platform::auth::Revocations revocation_list(**js, redis, revocation_settings);
  platform::http::AuthGuard guard(verifier, revocation_list.List());
  platform::http::UserRateLimit rate_limit(rate);

  infra::PgUserStore store(pool, std::chrono::seconds(access_ttl));
  infra::SodiumPasswordHasher hasher(argon, static_cast<int>(hash_workers),
                                     static_cast<int>(hash_queue));
  infra::RedisLoginThrottle throttle(redis, limits);
  infra::JwtSessionTokens tokens(signer, std::chrono::seconds(refresh_ttl),
                                 std::chrono::seconds(session_max));
  infra::ListAccessRevocations revocations(revocation_list.List());
  infra::SystemEnvironment environment;
  domain::CommonPasswords common(EmbeddedFile("common-passwords.txt"));
  domain::TimezoneCatalog timezones(infra::InstalledTimezones());
  app::IdentityDeps deps{store,       hasher,      throttle, tokens,
                         revocations, environment, common,   timezones};

  platform::http::Router router;
  auto checks = platform::service::ReadinessChecks(pool, redis, **js);
  checks.push_back(revocation_list.Readiness());
  platform::http::AddOperationalRoutes(router, std::move(checks));
  infra::AddIdentityRoutes(router, deps, guard, rate_limit, jwks);

  platform::service::Serve("identity", server, std::move(router));
  relay.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return platform::service::RunMain("identity", Run, argc, argv); }
