// The tasks service: tasks, progress, checklists and automatic expiry.

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

#include "app/use_cases.hpp"
#include "infra/rest/cursor_codec.hpp"
#include "infra/scheduler/expiry_scheduler.hpp"
#include "infra/pg/idempotency.hpp"
#include "infra/scheduler/idempotency_sweeper.hpp"
#include "infra/pg/pg_task_repository.hpp"
#include "infra/redis/redis_task_cache.hpp"
#include "infra/rest/task_routes.hpp"
#include "infra/events/user_event_consumer.hpp"
#include "platform/auth/cursor_signer.hpp"
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
#include "platform/redis/invalidation_listener.hpp"
#include "platform/service.hpp"
#include "platform/time.hpp"
#include "platform/uuid.hpp"

namespace tasks::migrations {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_files();
}

namespace {

using namespace tasks;

// SystemEnvironment: UUIDv7 ids and the system clock at millisecond resolution.
class SystemEnvironment : public app::Environment {
 public:
  std::string NewId() override { return platform::NewUuidV7(); }
  domain::Time Now() override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

// Drops every cache entry of a user whose account is gone (runs on the consumer's thread).
void ForgetUserCache(platform::redis::Client& redis, const std::string& user_id) {
  boost::asio::io_context context;
  auto sweep = [&]() -> boost::asio::awaitable<void> {
    std::string cursor = "0";
    do {
      std::vector<platform::redis::Command> scan;
      scan.push_back({"SCAN", cursor, "MATCH", "task:" + user_id + ":*", "COUNT", "1000"});
      auto replies = co_await redis.Execute(std::move(scan));
      if (!replies || (*replies)[0].elements.size() != 2) co_return;
      cursor = (*replies)[0].elements[0].text;
      std::vector<platform::redis::Command> drop;
      for (const auto& key : (*replies)[0].elements[1].elements) drop.push_back({"DEL", key.text});
      if (!drop.empty()) (void)co_await redis.Execute(std::move(drop));
    } while (cursor != "0");
  };
  boost::asio::co_spawn(context, sweep(), boost::asio::detached);
  context.run();
}

// Invalidates the cached list pages of owners whose tasks the scheduler just expired (runs on
// the scheduler's thread).
void BumpListVersions(platform::redis::Client& redis, const std::vector<std::string>& owners) {
  boost::asio::io_context context;
  auto bump = [&]() -> boost::asio::awaitable<void> {
    std::vector<platform::redis::Command> commands;
    for (const auto& owner : owners) commands.push_back({"INCR", "tasks:listver:" + owner});
    (void)co_await redis.Execute(std::move(commands));
  };
  boost::asio::co_spawn(context, bump(), boost::asio::detached);
  context.run();
}

int Run(int argc, char** argv) {
  platform::Config config("tasks", "tasks, progress, checklists and automatic expiry");
  auto settings = platform::service::ReadServiceSettings(
      config, "tasks", "TODO_TASKS_PORT", 8082,
      "directory with identity's published keys and the cursor key");
  auto& server = settings.server;
  const auto& pg_conninfo = settings.pg_conninfo;
  const auto& key_dir = settings.key_dir;
  auto key_source = platform::service::ReadKeySource(config);
  auto cache_seconds = config.Integer("TODO_TASK_CACHE_SECONDS", 300, 1, 86400,
                                      "how long a task stays in the cache at most");
  tasks::infra::ExpiryOptions expiry;
  expiry.batch = static_cast<int>(
      config.Integer("TODO_EXPIRY_BATCH", 1000, 1, 100000, "tasks expired per statement"));
  auto expiry_workers = config.Integer(
      "TODO_EXPIRY_WORKERS", 2, 1, 16,
      "expiry schedulers in this process (they share due tasks through SKIP LOCKED)");
  expiry.workers = static_cast<int>(expiry_workers);
  expiry.max_lead = std::chrono::milliseconds(config.Integer(
      "TODO_EXPIRY_MAX_LEAD_MS", 1000, 0, 60000,
      "longest head start (ms) of the work for an expiry instant, which commits at the instant"));
  auto task_quota = config.Integer("TODO_QUOTA_TASKS", tasks::infra::kDefaultTaskQuota, 1,
                                   1000000000, "tasks one user may have (409 beyond it)");
  auto rate = platform::http::ReadUserRateLimitOptions(config);
  auto revocation_settings = platform::auth::ReadRevocationSettings(config);
  auto idempotency_pending = config.Integer(
      "TODO_IDEMPOTENCY_PENDING_SECONDS", 60, 1, 86400,
      "how long (s) a running create holds its Idempotency-Key in Redis (409 to a second request)");
  tasks::infra::SweepOptions sweep;
  sweep.period = std::chrono::seconds(
      config.Integer("TODO_IDEMPOTENCY_SWEEP_SECONDS", 60, 1, 86400,
                     "how often (s) Idempotency-Keys older than 24 h are deleted"));
  sweep.batch = static_cast<int>(config.Integer("TODO_IDEMPOTENCY_SWEEP_BATCH", 1000, 1, 100000,
                                                "expired Idempotency-Keys deleted per statement"));
  config.Finish(argc, argv);
  platform::log::Init("tasks");

  platform::service::Migrate(pg_conninfo, "tasks", migrations::embedded_files());

  auto tokens = platform::service::LoadAccessTokenKeys(settings, key_source);

  // The list statements carry optional filters and an optional cursor: a generic plan cannot
  // start the index scan at the cursor, so every execution is planned with its values.
  platform::pg::Pool pool(pg_conninfo, settings.pg_pool_size,
                          "SET plan_cache_mode = force_custom_plan");
  platform::redis::Client redis(settings.redis_host, settings.redis_port);
  auto js = platform::bus::JetStream::Connect(settings.nats_url, "tasks");
  if (!js) throw std::runtime_error("cannot reach NATS: " + js.error().detail);
  if (auto s = (*js)->EnsureStream({}); !s) {
    throw std::runtime_error("cannot create the TODO stream: " + s.error().detail);
  }
  platform::bus::OutboxRelay relay(pg_conninfo, **js);
  relay.Start();
  // Several schedulers split a burst of due tasks between them, exactly as replicas do.
  std::vector<std::unique_ptr<tasks::infra::ExpiryScheduler>> schedulers;
  for (std::int64_t i = 0; i < expiry_workers; ++i) {
    schedulers.push_back(std::make_unique<tasks::infra::ExpiryScheduler>(
        pg_conninfo, expiry,
        [&redis](const std::vector<std::string>& owners) { BumpListVersions(redis, owners); }));
    schedulers.back()->Start();
  }
  tasks::infra::UserEventConsumer users(
      pg_conninfo, **js, [&redis](const std::string& user_id) { ForgetUserCache(redis, user_id); });
  users.Start();
  tasks::infra::IdempotencyKeySweeper sweeper(pg_conninfo, sweep);
  sweeper.Start();

  platform::auth::Revocations revocations(**js, redis, revocation_settings);
  platform::http::AuthGuard guard(*tokens.verifier, revocations.List());
  platform::http::UserRateLimit rate_limit(rate);
  tasks::infra::PgTaskRepository repository(pool, {}, task_quota);
  // Hot tasks are also kept in process, coherent through Redis's invalidation announcements.
  tasks::infra::InProcessTaskCache copies;
  platform::redis::InvalidationListener invalidations(
      settings.redis_host, settings.redis_port, {"task:"},
      [&copies](const std::vector<std::string>& keys) { copies.Erase(keys); },
      [&copies] { copies.Clear(); });
  invalidations.Start();
  tasks::infra::RedisTaskCache cache(redis, std::chrono::seconds(cache_seconds), &copies,
                                     &invalidations);
  SystemEnvironment environment;
  app::TaskDeps deps{repository, cache, environment};
  tasks::infra::CursorCodec cursors(
      platform::auth::LoadOrCreateSecret(key_dir + "/tasks-cursor.key"));
  tasks::infra::IdempotencyStore idempotency(redis, std::chrono::seconds(idempotency_pending));
  tasks::infra::TaskApi api{deps, cursors, idempotency, cache};

  platform::http::Router router;
  auto checks = platform::service::ReadinessChecks(pool, redis, **js);
  checks.push_back(revocations.Readiness());
  platform::http::AddOperationalRoutes(router, std::move(checks));
  tasks::infra::AddTaskRoutes(router, api, guard, rate_limit);

  platform::service::Serve("tasks", server, std::move(router));
  invalidations.Stop();
  sweeper.Stop();
  users.Stop();
  for (auto& scheduler : schedulers) scheduler->Stop();
  relay.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return platform::service::RunMain("tasks", Run, argc, argv); }
