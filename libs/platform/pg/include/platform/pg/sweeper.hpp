#pragma once
// Sweeper: keeps a table to what still counts by deleting the rest in small batches (each
// statement its own commit, so no sweep holds many row locks or a long transaction), on a
// background loop of its own; replicas may sweep at once (the statement skips locked rows).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "platform/background_loop.hpp"
#include "platform/pg/connection.hpp"

namespace platform::pg {

// SweepOptions: how often, and how many rows one statement deletes at most.
struct SweepOptions {
  std::chrono::milliseconds period{60000};
  int batch = 1000;
};

// SweepStatement: a DELETE whose last parameter is the batch size; `params` come before it.
struct SweepStatement {
  Query query;
  Params params;
};

class Sweeper {
 public:
  // `swept` is told how many rows each statement deleted (a metric, say).
  Sweeper(std::string name, std::string conninfo, SweepStatement statement, SweepOptions options,
          std::function<void(std::int64_t)> swept = {});
  ~Sweeper();
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  void Start();
  void Stop();
  // Runs the statement until it deletes fewer than `batch` rows; returns how many in all.
  static DbResult<std::int64_t> SweepOnce(Connection& conn, const SweepStatement& statement,
                                          int batch,
                                          const std::function<void(std::int64_t)>& swept = {});

 private:
  // The loop's step: (re)connects, then sweeps once; waits a period, or a back-off on failure.
  BackgroundLoop::Next Step();

  std::string name_;
  std::string conninfo_;
  SweepStatement statement_;
  SweepOptions options_;
  std::function<void(std::int64_t)> swept_;
  std::unique_ptr<Connection> conn_;  // used only on the loop's thread
  BackgroundLoop loop_;
};

}  // namespace platform::pg
