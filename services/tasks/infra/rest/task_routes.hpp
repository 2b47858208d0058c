#pragma once
// The tasks service's HTTP routes (API.md's tasks table), all behind the auth guard.

#include "app/use_cases.hpp"
#include "infra/pg/idempotency.hpp"
#include "infra/rest/cursor_codec.hpp"
#include "platform/auth/auth_guard.hpp"
#include "platform/http/router.hpp"
#include "platform/http/user_rate_limit.hpp"

namespace tasks::infra {

// TaskApi: what the handlers share.
struct TaskApi {
  app::TaskDeps& deps;
  const CursorCodec& cursors;
  IdempotencyStore& idempotency;
  app::ListPageCache& pages;  // handed to the list use case
};

// POST /v1/tasks for an authenticated request (AddTaskRoutes puts it behind the guard; the
// idempotency tests call it directly).
boost::asio::awaitable<platform::http::Response> CreateTaskRoute(TaskApi& api,
                                                                 platform::http::Request& request);

// Every route is behind the auth guard and then the per-user rate limit.
void AddTaskRoutes(platform::http::Router& router, TaskApi& api, platform::http::AuthGuard& guard,
                   platform::http::UserRateLimit& limit);

}  // namespace tasks::infra
