#include "platform/service.hpp"

#include <iostream>
#include <stdexcept>
#include <thread>

#include "platform/bus/outbox.hpp"
#include "platform/log.hpp"
#include "platform/pg/migrations.hpp"
#include "platform/try.hpp"

namespace platform::service {

ServiceSettings ReadServiceSettings(Config& config, std::string_view service,
                                    std::string_view port_variable, int default_port,
                                    std::string_view key_dir_help) {
  ServiceSettings s;
  s.server.address = config.String("TODO_BIND_ADDRESS", "127.0.0.1", "address to listen on");
  s.server.port = config.Port(port_variable, default_port,
                              "HTTP port of the " + std::string(service) + " service");
  s.server.threads =
      static_cast<int>(config.Integer("TODO_THREADS", 2, 1, 64, "event-loop threads"));
  s.server.access_log = config.Boolean("TODO_ACCESS_LOG", true, "log every request");
  auto proxies = http::TrustedProxies::Parse(
      config.String("TODO_TRUSTED_PROXIES", "",
                    "comma-separated addresses or CIDRs whose X-Forwarded-For names the client"));
  if (!proxies) throw std::runtime_error(proxies.error().detail);
  s.server.trusted_proxies = std::move(*proxies);
  s.pg_conninfo = config.String(
      "TODO_PG", "host=127.0.0.1 port=55432 user=todo dbname=todo_" + std::string(service),
      "PostgreSQL connection string (libpq format; several hosts fail over: "
      "host=a,b target_session_attrs=read-write)");
  s.pg_pool_size =
      static_cast<int>(config.Integer("TODO_PG_POOL_SIZE", 8, 1, 256, "PostgreSQL connections"));
  s.redis.server.host = config.String("TODO_REDIS_HOST", "127.0.0.1", "Redis host");
  s.redis.server.port = config.Port("TODO_REDIS_PORT", 56379, "Redis port");
  auto sentinels = config.String(
      "TODO_REDIS_SENTINELS", "",
      "comma-separated host:port of Redis Sentinels; when set, the master they name for "
      "TODO_REDIS_MASTER is used instead of TODO_REDIS_HOST/PORT");
  if (auto parsed = redis::ParseEndpoints(sentinels)) {
    s.redis.sentinels = std::move(*parsed);
  } else {
    config.Reject("TODO_REDIS_SENTINELS", parsed.error().detail);
  }
  s.redis.master_name =
      config.String("TODO_REDIS_MASTER", "todo", "the master's name in the Sentinels' config");
  s.nats_url = config.String("TODO_NATS_URL", "nats://127.0.0.1:54222",
                             "NATS server URL, or a comma-separated list of a cluster's servers");
  s.key_dir = config.String("TODO_KEY_DIR", ".stack/keys", key_dir_help);
  s.jwt_issuer = config.String("TODO_JWT_ISSUER", "todo-identity", "access token issuer");
  s.jwt_audience = config.String("TODO_JWT_AUDIENCE", "todo", "access token audience");
  return s;
}

std::unique_ptr<pg::Connection> ConnectWithRetry(const std::string& conninfo,
                                                 std::chrono::seconds total) {
  auto deadline = std::chrono::steady_clock::now() + total;
  for (;;) {
    auto conn = pg::Connection::Open(conninfo);
    if (conn) return std::move(*conn);
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("cannot reach PostgreSQL: " + conn.error().message);
    }
    // Start-up only: nothing to await but the database coming up.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Migrate(const std::string& conninfo, std::string_view scope, const EmbeddedFiles& files) {
  auto conn = ConnectWithRetry(conninfo, std::chrono::seconds(10));
  auto all = bus::OutboxMigrations();
  auto own = pg::MigrationsFrom(files);
  all.insert(all.end(), own.begin(), own.end());
  auto applied = pg::Migrate(*conn, scope, all);
  if (!applied) throw std::runtime_error("migrations failed: " + applied.error().message);
}

std::vector<http::ReadinessCheck> ReadinessChecks(pg::Pool& pool, redis::Client& redis,
                                                  bus::JetStream& js) {
  std::vector<http::ReadinessCheck> checks;
  checks.push_back({"database", [&pool]() -> boost::asio::awaitable<bool> {
                      auto ping = [](pg::Connection& c) -> Result<bool> {
                        static constexpr pg::Query kPing{"ping", "SELECT 1"};
                        TODO_TRY_VOID(c.Execute(kPing));
                        return true;
                      };
                      auto r = co_await pool.Run(std::move(ping));
                      co_return r.has_value();
                    }});
  checks.push_back({"cache", [&redis]() { return redis.Ping(); }});
  checks.push_back(
      {"broker", [&js]() -> boost::asio::awaitable<bool> { co_return js.Connected(); }});
  return checks;
}

std::string ReadKeySource(Config& config) {
  return config.String("TODO_JWKS_SOURCE", "",
                       "where access-token keys come from: a JWKS/PEM file or an "
                       "http:// URL (default: <TODO_KEY_DIR>/jwks.json)");
}

AccessTokenKeys LoadAccessTokenKeys(const ServiceSettings& settings, std::string key_source) {
  if (key_source.empty()) key_source = settings.key_dir + "/jwks.json";
  auto keys = auth::LoadVerifyingKeysWithRetry(key_source, std::chrono::seconds(30));
  if (!keys) throw std::runtime_error("no access-token keys from " + key_source);
  AccessTokenKeys out;
  out.verifier =
      std::make_unique<auth::TokenVerifier>(*keys, settings.jwt_issuer, settings.jwt_audience);
  out.refresher = std::make_unique<auth::KeyRefresher>(
      key_source, *out.verifier, std::chrono::seconds(60), std::chrono::seconds(2), *keys);
  out.refresher->Start();
  return out;
}

void Serve(std::string_view service, const http::ServerOptions& options, http::Router router) {
  http::HttpServer server(options, std::move(router));
  server.Listen();
  log::Info(std::string(service) + " listening",
            {{"address", options.address}, {"port", options.port}});
  server.Run();
}

int RunMain(std::string_view service, int (*run)(int, char**), int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << service << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace platform::service
