#pragma once
// ProgressSettings: what the progress service reads from its environment and flags.

#include <chrono>
#include <cstddef>
#include <string>

#include "infra/pg/activity_sweeper.hpp"
#include "platform/auth/revocations.hpp"
#include "platform/bus/event_streams.hpp"
#include "platform/config.hpp"
#include "platform/http/user_rate_limit.hpp"
#include "platform/service.hpp"

namespace progress::infra {

struct ProgressSettings {
  platform::service::ServiceSettings service;
  std::string key_source;
  std::chrono::milliseconds heartbeat{};  // an idle live stream's heartbeat interval
  std::size_t streams_per_user = 0;       // open live streams per user in this process
  platform::http::UserRateLimitOptions rate;
  platform::auth::RevocationSettings revocations;
  platform::bus::EventStreamSettings events;  // the history stream's limits (every service's)
  ActivityWindow activity;  // how long the feed (and with it daily buckets, streak) reaches back
};

// Declares and reads them (config.Finish follows, in main).
ProgressSettings ReadProgressSettings(platform::Config& config);

}  // namespace progress::infra
