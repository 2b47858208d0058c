#include "platform/service.hpp"

#include <stdexcept>
#include <thread>

#include "platform/bus/outbox.hpp"
#include "platform/pg/migrations.hpp"

namespace platform::service {

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
                        auto rows = c.Execute(kPing);
                        if (!rows) return std::unexpected(rows.error().ToError());
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

}  // namespace platform::service
