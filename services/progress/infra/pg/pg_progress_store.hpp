#pragma once
// PgProgressStore: the read model's queries on PostgreSQL.

#include "app/ports.hpp"
#include "platform/pg/pool.hpp"

namespace progress::infra {

// PgProgressStore: plain functions returning the pool's awaitable (not coroutines), so the
// lambdas capture ordinary parameters (see platform/offload.hpp for the g++ 12 trap).
class PgProgressStore : public app::ProgressStore {
 public:
  explicit PgProgressStore(platform::pg::Pool& pool) : pool_(pool) {}

  app::Async<std::string> TimeZone(std::string user_id) override;
  app::Async<app::Aggregates> Aggregate(std::string user_id, domain::Time now,
                                        domain::Time today_start) override;
  app::Async<std::vector<domain::ActivityPoint>> Points(std::string user_id,
                                                        domain::Time since) override;
  app::Async<std::vector<domain::Time>> Completions(std::string user_id,
                                                    domain::Time since) override;
  app::Async<std::vector<app::ActivityItem>> Activity(std::string user_id,
                                                      std::optional<std::int64_t> before_seq,
                                                      int limit) override;
  app::Async<std::vector<app::ActivityItem>> ActivitySince(std::string user_id,
                                                           std::int64_t after_seq,
                                                           int limit) override;
  app::Async<std::int64_t> LatestSeq(std::string user_id) override;

 private:
  platform::pg::Pool& pool_;
};

}  // namespace progress::infra
