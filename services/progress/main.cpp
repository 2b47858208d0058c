// The progress service: what events told it, summed up per person, and a live stream of it.
//
//   progress            serves the API and follows the event stream
//   progress rebuild    empties the read model, folds the state stream (TODO_STATE: the latest
//                       state of every task and user) into it and forgets the consumer's
//                       position, so the next start replays the retained history for the
//                       activity window (run it with the service stopped; scripts/progress-rebuild
//                       does the stop, rebuild and start)

#include <cstring>
#include <memory>
#include <vector>

#include "app/use_cases.hpp"
#include "infra/clock/system_clock.hpp"
#include "infra/config/progress_settings.hpp"
#include "infra/events/event_consumer.hpp"
#include "infra/events/state_replay.hpp"
#include "infra/pg/activity_sweeper.hpp"
#include "infra/pg/pg_progress_store.hpp"
#include "infra/rest/progress_routes.hpp"
#include "infra/stream/stream_hub.hpp"
#include "infra/zone/zone_cache.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/auth/cursor_signer.hpp"
#include "platform/auth/revocations.hpp"
#include "platform/bus/event_streams.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/config.hpp"
#include "platform/http/operational_routes.hpp"
#include "platform/http/server.hpp"
#include "platform/http/user_rate_limit.hpp"
#include "platform/log.hpp"
#include "platform/pg/pool.hpp"
#include "platform/redis/client.hpp"
#include "platform/service.hpp"

namespace progress::migrations {
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}

namespace {

using namespace progress;

// `progress rebuild ...`: takes the command off the arguments the flags are read from.
bool TakeRebuildCommand(int& argc, char**& argv) {
  if (argc < 2 || std::strcmp(argv[1], "rebuild") != 0) return false;
  argv[1] = argv[0];
  --argc;
  ++argv;
  return true;
}

std::unique_ptr<platform::bus::JetStream> ConnectStream(
    const std::string& nats_url, const platform::bus::EventStreamSettings& events) {
  auto js = platform::bus::JetStream::Connect(nats_url, "progress");
  if (!js) throw std::runtime_error("cannot reach NATS: " + js.error().detail);
  if (auto s = platform::bus::EnsureEventStreams(**js, events); !s) {
    throw std::runtime_error("cannot create the event streams: " + s.error().detail);
  }
  return std::move(*js);
}

int Rebuild(const std::string& pg_conninfo, platform::bus::JetStream& js) {
  auto dropped = infra::DropReadModel(pg_conninfo, js);
  if (!dropped) throw std::runtime_error("rebuild failed: " + dropped.error().detail);
  auto states = infra::FoldStateStream(pg_conninfo, js, std::string(platform::bus::kStateStream),
                                       std::string(platform::bus::kStateSubjectPrefix) + ".>");
  if (!states) throw std::runtime_error("rebuild failed: " + states.error().detail);
  platform::log::Info("read model rebuilt from the state stream: the next start replays history",
                      {{"states", static_cast<std::int64_t>(states->folded)},
                       {"malformed", static_cast<std::int64_t>(states->malformed)}});
  return 0;
}

int Run(int argc, char** argv) {
  bool rebuild = TakeRebuildCommand(argc, argv);
  platform::Config config("progress",
                          "progress summaries, activity and a live stream, from events");
  auto settings = infra::ReadProgressSettings(config);
  config.Finish(argc, argv);
  platform::log::Init("progress");
  const auto& pg_conninfo = settings.service.pg_conninfo;

  platform::service::Migrate(pg_conninfo, "progress", migrations::EmbeddedFiles());
  auto js = ConnectStream(settings.service.nats_url, settings.events);
  if (rebuild) return Rebuild(pg_conninfo, *js);

  auto tokens = platform::service::LoadAccessTokenKeys(settings.service, settings.key_source);
  platform::pg::Pool pool(pg_conninfo, settings.service.pg_pool_size);
  platform::redis::Client redis(settings.service.redis);
  infra::EventConsumer consumer(pg_conninfo, *js);
  consumer.Start();
  infra::StreamHub hub(pg_conninfo);
  hub.Start();
  infra::ActivitySweeper sweeper(pg_conninfo, settings.activity);
  sweeper.Start();

  platform::auth::Revocations revocations(*js, redis, settings.revocations);
  // A revoked session reaches its live streams as this call (they check their token again).
  revocations.SetListener([&hub](std::string_view session_id) { hub.Recheck(session_id); });
  platform::http::AuthGuard guard(*tokens.verifier, revocations.List());
  platform::http::UserRateLimit rate_limit(settings.rate);
  infra::PgProgressStore store(pool);
  infra::ZoneCache zones;
  infra::SystemClock clock;
  app::ProgressDeps deps{store, zones, clock};
  platform::auth::CursorSigner cursors(
      platform::auth::LoadOrCreateSecret(settings.service.key_dir + "/progress-cursor.key"));
  infra::StreamSlots streams(settings.streams_per_user);
  infra::ProgressApi api{deps, hub, guard, cursors, settings.heartbeat, streams};

  platform::http::Router router;
  auto checks = platform::service::ReadinessChecks(pool, redis, *js);
  checks.push_back(revocations.Readiness());
  platform::http::AddOperationalRoutes(router, std::move(checks));
  infra::AddProgressRoutes(router, api, guard, rate_limit);

  auto server = settings.service.server;
  // Idle streams wait without a timer of their own: a shutdown wakes them.
  server.on_shutdown = [&hub] { hub.WakeAll(); };
  platform::service::Serve("progress", server, std::move(router));
  revocations.SetListener({});
  sweeper.Stop();
  hub.Stop();
  consumer.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return platform::service::RunMain("progress", Run, argc, argv); }
