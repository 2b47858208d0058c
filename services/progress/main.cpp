// The progress service: what events told it, summed up per person, and a live stream of it.
//
//   progress            serves the API and follows the event stream
//   progress rebuild    empties the read model and forgets the consumer's position, so the next
//                       start replays every event (run it with the service stopped;
//                       scripts/progress-rebuild does the stop, rebuild and start)

#include <cstring>
#include <vector>

#include "app/use_cases.hpp"
#include "infra/pg/activity_bell.hpp"
#include "infra/events/event_consumer.hpp"
#include "infra/pg/pg_progress_store.hpp"
#include "infra/rest/progress_routes.hpp"
#include "infra/zone/zone_cache.hpp"
#include "platform/auth/cursor_signer.hpp"
#include "platform/auth/revocations.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/config.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/http/operational_routes.hpp"
#include "platform/http/server.hpp"
#include "platform/http/user_rate_limit.hpp"
#include "platform/log.hpp"
#include "platform/pg/pool.hpp"
#include "platform/redis/client.hpp"
#include "platform/service.hpp"

namespace progress::migrations {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_files();
}

namespace {

// SystemClock: the system clock at millisecond resolution.
class SystemClock : public progress::app::Clock {
 public:
  progress::domain::Time Now() override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

int Run(int argc, char** argv) {
  bool rebuild = argc > 1 && std::strcmp(argv[1], "rebuild") == 0;
  if (rebuild) {
    argv[1] = argv[0];
    --argc;
    ++argv;
  }
  platform::Config config("progress",
                          "progress summaries, activity and a live stream, from events");
  auto settings = platform::service::ReadServiceSettings(
      config, "progress", "TODO_PROGRESS_PORT", 8083,
      "directory with identity's published keys and the cursor key");
  auto key_source = platform::service::ReadKeySource(config);
  auto heartbeat_ms = config.Integer("TODO_STREAM_HEARTBEAT_MS", 15000, 100, 300000,
                                     "how often an idle /v1/stream gets a heartbeat comment");
  auto stream_quota = config.Integer("TODO_QUOTA_STREAMS", 5, 1, 10000,
                                     "open GET /v1/stream per user in this process");
  auto rate = platform::http::ReadUserRateLimitOptions(config);
  auto revocation_settings = platform::auth::ReadRevocationSettings(config);
  config.Finish(argc, argv);
  platform::log::Init("progress");
  const auto& pg_conninfo = settings.pg_conninfo;

  platform::service::Migrate(pg_conninfo, "progress", progress::migrations::embedded_files());
  auto js = platform::bus::JetStream::Connect(settings.nats_url, "progress");
  if (!js) throw std::runtime_error("cannot reach NATS: " + js.error().detail);
  if (auto s = (*js)->EnsureStream({}); !s) {
    throw std::runtime_error("cannot create the TODO stream: " + s.error().detail);
  }
  if (rebuild) {
    auto dropped = progress::infra::DropReadModel(pg_conninfo, **js);
    if (!dropped) throw std::runtime_error("rebuild failed: " + dropped.error().detail);
    platform::log::Info("read model dropped: the next start replays the stream");
    return 0;
  }

  auto tokens = platform::service::LoadAccessTokenKeys(settings, key_source);

  platform::pg::Pool pool(pg_conninfo, settings.pg_pool_size);
  platform::redis::Client redis(settings.redis_host, settings.redis_port);
  progress::infra::EventConsumer consumer(pg_conninfo, **js);
  consumer.Start();
  progress::infra::ActivityBell bell(pg_conninfo);
  bell.Start();

  platform::auth::Revocations revocations(**js, redis, revocation_settings);
  platform::http::AuthGuard guard(*tokens.verifier, revocations.List());
  platform::http::UserRateLimit rate_limit(rate);
  progress::infra::PgProgressStore store(pool);
  progress::infra::ZoneCache zones;
  SystemClock clock;
  progress::app::ProgressDeps deps{store, zones, clock};
  platform::auth::CursorSigner cursors(
      platform::auth::LoadOrCreateSecret(settings.key_dir + "/progress-cursor.key"));
  progress::infra::StreamSlots streams(static_cast<std::size_t>(stream_quota));
  progress::infra::ProgressApi api{
      deps, bell, guard, cursors, std::chrono::milliseconds(heartbeat_ms), streams};

  platform::http::Router router;
  auto checks = platform::service::ReadinessChecks(pool, redis, **js);
  checks.push_back(revocations.Readiness());
  platform::http::AddOperationalRoutes(router, std::move(checks));
  progress::infra::AddProgressRoutes(router, api, guard, rate_limit);

  platform::service::Serve("progress", settings.server, std::move(router));
  bell.Stop();
  consumer.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return platform::service::RunMain("progress", Run, argc, argv); }
