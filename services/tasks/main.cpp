// The tasks service: tasks, progress, checklists and automatic expiry. Reads its settings,
// builds the platform pieces, wires the repository and caches into the use cases and those
// into the routes, and runs until told to stop.

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "app/use_cases.hpp"
#include "infra/events/user_event_consumer.hpp"
#include "infra/pg/idempotency.hpp"
#include "infra/pg/pg_task_repository.hpp"
#include "infra/redis/in_process_task_cache.hpp"
#include "infra/redis/redis_task_cache.hpp"
#include "infra/rest/cursor_codec.hpp"
#include "infra/rest/task_routes.hpp"
#include "infra/scheduler/expiry_scheduler.hpp"
#include "infra/scheduler/idempotency_sweeper.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/auth/cursor_signer.hpp"
#include "platform/auth/revocations.hpp"
#include "platform/bus/event_streams.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/bus/relay_settings.hpp"
#include "platform/config.hpp"
#include "platform/http/operational_routes.hpp"
#include "platform/http/server.hpp"
#include "platform/http/user_rate_limit.hpp"
#include "platform/log.hpp"
#include "platform/pg/pool.hpp"
#include "platform/redis/client.hpp"
#include "platform/redis/invalidation_listener.hpp"
#include "platform/service.hpp"
#include "platform/uuid.hpp"

namespace tasks::migrations {
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
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

// TasksSettings: everything the process reads from its environment and command line.
struct TasksSettings {
  platform::service::ServiceSettings service;
  std::string key_source;
  std::chrono::seconds cache_lifetime{};
  infra::ExpiryOptions expiry;
  std::int64_t task_quota = 0;
  platform::http::UserRateLimitOptions rate;
  platform::auth::RevocationSettings revocation;
  std::chrono::seconds idempotency_pending{};
  infra::SweepOptions sweep;
  platform::bus::EventStreamSettings events;
  platform::bus::OutboxRelayOptions relay;
};

TasksSettings ReadSettings(int argc, char** argv) {
  platform::Config config("tasks", "tasks, progress, checklists and automatic expiry");
  TasksSettings s;
  s.service = platform::service::ReadServiceSettings(
      config, "tasks", "TODO_TASKS_PORT", 8082,
      "directory with identity's published keys and the cursor key");
  s.key_source = platform::service::ReadKeySource(config);
  s.cache_lifetime = std::chrono::seconds(config.Integer(
      "TODO_TASK_CACHE_SECONDS", 300, 1, 86400, "how long a task stays in the cache at most"));
  s.expiry.batch = static_cast<int>(
      config.Integer("TODO_EXPIRY_BATCH", 1000, 1, 100000, "tasks expired per statement"));
  s.expiry.workers = static_cast<int>(config.Integer(
      "TODO_EXPIRY_WORKERS", 2, 1, 16,
      "expiry schedulers in this process (they share due tasks through SKIP LOCKED)"));
  s.expiry.max_lead = std::chrono::milliseconds(config.Integer(
      "TODO_EXPIRY_MAX_LEAD_MS", 1000, 0, 60000,
      "longest head start (ms) of the work for an expiry instant, which commits at the instant"));
  s.task_quota = config.Integer("TODO_QUOTA_TASKS", infra::kDefaultTaskQuota, 1, 1000000000,
                                "tasks one user may have (409 beyond it)");
  s.rate = platform::http::ReadUserRateLimitOptions(config);
  s.revocation = platform::auth::ReadRevocationSettings(config);
  s.idempotency_pending =
      std::chrono::seconds(config.Integer("TODO_IDEMPOTENCY_PENDING_SECONDS", 60, 1, 86400,
                                          "how long (s) a running create holds its Idempotency-Key "
                                          "in Redis (409 to a second request)"));
  s.sweep.period = std::chrono::seconds(
      config.Integer("TODO_IDEMPOTENCY_SWEEP_SECONDS", 60, 1, 86400,
                     "how often (s) Idempotency-Keys older than 24 h are deleted"));
  s.sweep.batch =
      static_cast<int>(config.Integer("TODO_IDEMPOTENCY_SWEEP_BATCH", 1000, 1, 100000,
                                      "expired Idempotency-Keys deleted per statement"));
  s.events = platform::bus::ReadEventStreamSettings(config);
  s.relay = platform::bus::ReadOutboxRelayOptions(config, s.events);
  config.Finish(argc, argv);
  return s;
}

int Run(int argc, char** argv) {
  const TasksSettings settings = ReadSettings(argc, argv);
  const auto& service = settings.service;
  const auto& pg_conninfo = service.pg_conninfo;
  platform::log::Init("tasks");
  platform::service::Migrate(pg_conninfo, "tasks", migrations::EmbeddedFiles());
  auto tokens = platform::service::LoadAccessTokenKeys(service, settings.key_source);

  // Platform pieces. The list statements carry optional filters and an optional cursor: a
  // generic plan cannot start the index scan at the cursor, so every execution is planned with
  // its values.
  platform::pg::Pool pool(pg_conninfo, service.pg_pool_size,
                          "SET plan_cache_mode = force_custom_plan");
  platform::redis::Client redis(service.redis);
  auto js = platform::bus::JetStream::Connect(service.nats_url, "tasks");
  if (!js) throw std::runtime_error("cannot reach NATS: " + js.error().detail);
  if (auto streams = platform::bus::EnsureEventStreams(**js, settings.events); !streams) {
    throw std::runtime_error("cannot create the event streams: " + streams.error().detail);
  }
  platform::bus::OutboxRelay relay(pg_conninfo, **js, settings.relay);
  relay.Start();

  // Caches: Redis, and hot tasks also in process, coherent through Redis's invalidation
  // announcements.
  infra::InProcessTaskCache copies;
  platform::redis::InvalidationListener invalidations(
      service.redis, {"task:"},
      [&copies](const std::vector<std::string>& keys) { copies.Erase(keys); },
      [&copies] { copies.Clear(); });
  infra::RedisTaskCache cache(redis, settings.cache_lifetime, &copies, &invalidations);

  // Background work. Several schedulers split a burst of due tasks between them, exactly as
  // replicas do.
  std::vector<std::unique_ptr<infra::ExpiryScheduler>> schedulers;
  for (int i = 0; i < settings.expiry.workers; ++i) {
    schedulers.push_back(std::make_unique<infra::ExpiryScheduler>(
        pg_conninfo, settings.expiry,
        [&cache](const std::vector<std::string>& owners) { cache.BumpListsNow(owners); }));
    schedulers.back()->Start();
  }
  infra::UserEventConsumer users(
      pg_conninfo, **js, [&cache](const std::string& user_id) { cache.ForgetOwnerNow(user_id); });
  users.Start();
  infra::IdempotencyKeySweeper sweeper(pg_conninfo, settings.sweep);
  sweeper.Start();

  // Requests: repository and caches into the use cases, the use cases into the routes.
  platform::auth::Revocations revocations(**js, redis, settings.revocation);
  platform::http::AuthGuard guard(*tokens.verifier, revocations.List());
  platform::http::UserRateLimit rate_limit(settings.rate);
  infra::PgTaskRepository repository(pool, {}, settings.task_quota);
  invalidations.Start();
  SystemEnvironment environment;
  app::TaskDeps deps{repository, cache, environment};
  infra::CursorCodec cursors(
      platform::auth::LoadOrCreateSecret(service.key_dir + "/tasks-cursor.key"));
  infra::IdempotencyStore idempotency(redis, settings.idempotency_pending);
  infra::TaskApi api{deps, cursors, idempotency, cache};

  platform::http::Router router;
  auto checks = platform::service::ReadinessChecks(pool, redis, **js);
  checks.push_back(revocations.Readiness());
  platform::http::AddOperationalRoutes(router, std::move(checks));
  infra::AddTaskRoutes(router, api, guard, rate_limit);

  platform::service::Serve("tasks", service.server, std::move(router));
  invalidations.Stop();
  sweeper.Stop();
  users.Stop();
  for (auto& scheduler : schedulers) scheduler->Stop();
  relay.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return platform::service::RunMain("tasks", Run, argc, argv); }
