#pragma once
// The progress endpoints of API.md: summary, daily buckets, activity feed and the live stream.

#include <chrono>

#include "app/use_cases.hpp"
#include "infra/rest/stream_slots.hpp"
#include "infra/stream/stream_hub.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/auth/cursor_signer.hpp"
#include "platform/http/router.hpp"
#include "platform/http/user_rate_limit.hpp"

namespace progress::infra {

// ProgressApi: what the handlers run on.
struct ProgressApi {
  app::ProgressDeps& deps;
  StreamHub& hub;
  // Checks an open stream's token again when the hub asks (its session was revoked): a
  // revoked one ends it; an expired token ends it at its expiry.
  platform::http::AuthGuard& guard;
  const platform::auth::CursorSigner& cursors;
  // A comment line this often keeps proxies from closing an idle stream.
  std::chrono::milliseconds heartbeat{15000};
  // Open GET /v1/stream per user in this process (TODO_QUOTA_STREAMS).
  StreamSlots& streams;
};

// Every route is behind the auth guard and then the per-user rate limit.
void AddProgressRoutes(platform::http::Router& router, ProgressApi& api,
                       platform::http::AuthGuard& guard, platform::http::UserRateLimit& limit);

}  // namespace progress::infra
