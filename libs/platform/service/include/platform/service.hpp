#pragma once
// The start-up steps every service repeats: wait for PostgreSQL, apply migrations (the outbox's
// and the service's own), and the standard /readyz checks.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/auth/jwt.hpp"
#include "platform/auth/key_source.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/config.hpp"
#include "platform/http/operational_routes.hpp"
#include "platform/http/server.hpp"
#include "platform/pg/pool.hpp"
#include "platform/redis/client.hpp"

namespace platform::service {

using EmbeddedFiles = std::vector<std::pair<std::string_view, std::string_view>>;

// ServiceSettings: the TODO_* settings every service reads alike.
struct ServiceSettings {
  http::ServerOptions server;
  std::string pg_conninfo;
  int pg_pool_size = 8;
  redis::Address redis;  // TODO_REDIS_HOST/PORT, or TODO_REDIS_SENTINELS and TODO_REDIS_MASTER
  std::string nats_url;
  std::string key_dir;
  std::string jwt_issuer;
  std::string jwt_audience;
};

// Declares and reads them: `port_variable` (e.g. TODO_TASKS_PORT) and the default database
// differ per service; `key_dir_help` says what the service keeps in TODO_KEY_DIR.
ServiceSettings ReadServiceSettings(Config& config, std::string_view service,
                                    std::string_view port_variable, int default_port,
                                    std::string_view key_dir_help);

// Waits up to `total` for PostgreSQL (the stack may still be starting); throws after that.
std::unique_ptr<pg::Connection> ConnectWithRetry(const std::string& conninfo,
                                                 std::chrono::seconds total);
// Applies the outbox migration and then the service's own, in name order; throws on failure.
void Migrate(const std::string& conninfo, std::string_view scope, const EmbeddedFiles& files);
// /readyz's "database", "cache" and "broker" checks.
std::vector<http::ReadinessCheck> ReadinessChecks(pg::Pool& pool, redis::Client& redis,
                                                  bus::JetStream& js);

// AccessTokenKeys: how a service that only verifies access tokens gets identity's public keys:
// loaded at start-up (waiting for identity to publish them) and refreshed in the background.
struct AccessTokenKeys {
  std::unique_ptr<auth::TokenVerifier> verifier;
  std::unique_ptr<auth::KeyRefresher> refresher;  // started; stops when destroyed
};
// Declares TODO_JWKS_SOURCE (call before Config::Finish); empty means <TODO_KEY_DIR>/jwks.json.
std::string ReadKeySource(Config& config);
// Loads the keys (up to 30 s) and starts their refresher; throws when there are none.
AccessTokenKeys LoadAccessTokenKeys(const ServiceSettings& settings, std::string key_source);

// Serves `router` until SIGTERM/SIGINT and a graceful shutdown (logs where it listens).
void Serve(std::string_view service, const http::ServerOptions& options, http::Router router);

// main(): runs `run`, turning a start-up exception into a message on stderr and exit code 1.
int RunMain(std::string_view service, int (*run)(int, char**), int argc, char** argv);

}  // namespace platform::service
