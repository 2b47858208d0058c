#pragma once
// ProgressSettings: what the progress service reads from its environment and flags.

#include <chrono>
#include <cstddef>
#include <string>

#include "platform/auth/revocations.hpp"
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
};

// Declares and reads them (config.Finish follows, in main).
ProgressSettings ReadProgressSettings(platform::Config& config);

}  // namespace progress::infra
