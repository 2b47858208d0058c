#pragma once
// The progress endpoints of API.md: summary, daily buckets, activity feed and the live stream.

#include <chrono>

#include "app/use_cases.hpp"
#include "infra/activity_bell.hpp"
#include "platform/http/auth_guard.hpp"
#include "platform/http/router.hpp"

namespace progress::infra {

// ProgressApi: what the handlers run on.
struct ProgressApi {
  app::ProgressDeps& deps;
  ActivityBell& bell;
  // A comment line this often keeps proxies from closing an idle stream.
  std::chrono::milliseconds heartbeat{15000};
};

void AddProgressRoutes(platform::http::Router& router, ProgressApi& api,
                       platform::http::AuthGuard& guard);

}  // namespace progress::infra
