#include "platform/pg/sweeper.hpp"

#include <utility>

#include "platform/log.hpp"
#include "platform/try.hpp"

namespace platform::pg {

namespace {

// The back-off while PostgreSQL cannot be reached: doubles from 100 ms up to one period.
BackgroundLoop::Backoff SweepBackoff(const SweepOptions& options) {
  return {std::chrono::milliseconds(100), options.period};
}

}  // namespace

Sweeper::Sweeper(std::string name, std::string conninfo, SweepStatement statement,
                 SweepOptions options, std::function<void(std::int64_t)> swept)
    : name_(name),
      conninfo_(std::move(conninfo)),
      statement_(std::move(statement)),
      options_(options),
      swept_(std::move(swept)),
      loop_(std::move(name), this, &Sweeper::Step, SweepBackoff(options)) {}

Sweeper::~Sweeper() { Stop(); }

void Sweeper::Start() { loop_.Start(); }

void Sweeper::Stop() {
  loop_.Stop();
  conn_.reset();
}

DbResult<std::int64_t> Sweeper::SweepOnce(Connection& conn, const SweepStatement& statement,
                                          int batch,
                                          const std::function<void(std::int64_t)>& swept) {
  Params params = statement.params;
  params.emplace_back(std::to_string(batch));
  std::int64_t total = 0;
  for (;;) {
    TODO_TRY(auto deleted, conn.Execute(statement.query, params));
    total += deleted.AffectedRows();
    if (swept) swept(deleted.AffectedRows());
    if (deleted.AffectedRows() < batch) return total;
  }
}

BackgroundLoop::Next Sweeper::Step() {
  if (!conn_) {
    auto opened = Connection::Open(conninfo_);
    if (!opened) {
      log::Warn("sweeper cannot reach PostgreSQL",
                {{"sweeper", name_}, {"error", opened.error().message}});
      return BackgroundLoop::Next::Failed();
    }
    conn_ = std::move(*opened);
  }
  if (auto swept = SweepOnce(*conn_, statement_, options_.batch, swept_); !swept) {
    log::Warn("sweep failed", {{"sweeper", name_}, {"error", swept.error().message}});
    conn_.reset();
    // Reconnects after the first back-off; a failure to connect then backs off further.
    return BackgroundLoop::Next::After(SweepBackoff(options_).first);
  }
  return BackgroundLoop::Next::After(options_.period);
}

}  // namespace platform::pg
