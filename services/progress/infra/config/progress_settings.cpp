#include "infra/config/progress_settings.hpp"

namespace progress::infra {

ProgressSettings ReadProgressSettings(platform::Config& config) {
  ProgressSettings s;
  s.service = platform::service::ReadServiceSettings(
      config, "progress", "TODO_PROGRESS_PORT", 8083,
      "directory with identity's published keys and the cursor key");
  s.key_source = platform::service::ReadKeySource(config);
  s.heartbeat = std::chrono::milliseconds(
      config.Integer("TODO_STREAM_HEARTBEAT_MS", 15000, 100, 300000,
                     "how often an idle /v1/stream gets a heartbeat comment"));
  s.streams_per_user = static_cast<std::size_t>(config.Integer(
      "TODO_QUOTA_STREAMS", 5, 1, 10000, "open GET /v1/stream per user in this process"));
  s.rate = platform::http::ReadUserRateLimitOptions(config);
  s.revocations = platform::auth::ReadRevocationSettings(config);
  s.events = platform::bus::ReadEventStreamSettings(config);
  s.activity.keep = std::chrono::hours(24) *
                    config.Integer("TODO_ACTIVITY_RETENTION_DAYS", 90, 1, 36500,
                                   "days of activity kept (the feed, daily buckets, the streak)");
  return s;
}

}  // namespace progress::infra
