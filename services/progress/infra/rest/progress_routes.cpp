#include "infra/rest/progress_routes.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "infra/rest/progress_query.hpp"
#include "infra/stream/sse_event.hpp"
#include "platform/json.hpp"
#include "platform/time.hpp"
#include "platform/try.hpp"

namespace progress::infra {

using platform::Error;
using platform::http::Request;
using platform::http::Response;
using Handled = boost::asio::awaitable<Response>;

namespace {

constexpr int kStreamPage = 500;
// A client over its stream quota may try again soon: a stream of its own may be closing.
constexpr int kStreamQuotaRetrySeconds = 5;

std::string Timestamp(domain::Time t) { return platform::FormatTimestamp(t); }

double Round(double value, double scale) { return std::round(value * scale) / scale; }

std::string SummaryJson(const app::Summary& s) {
  const auto& a = s.aggregates;
  platform::JsonWriter w;
  w.StartObject();
  w.Field("total", a.counts.Total());
  w.Key("by_status");
  w.StartObject();
  w.Field("todo", a.counts.todo);
  w.Field("in_progress", a.counts.in_progress);
  w.Field("done", a.counts.done);
  w.Field("expired", a.counts.expired);
  w.EndObject();
  w.Key("completion_rate");
  w.Double(s.completion_rate);
  w.Key("average_progress");
  w.Double(Round(a.average_progress, 10));
  w.Field("overdue", a.overdue);
  w.Field("expiring_within_24h", a.expiring_within_24h);
  w.Field("completed_today", a.completed_today);
  w.Field("streak_days", s.streak_days);
  w.Field("as_of", Timestamp(s.as_of));
  w.EndObject();
  return w.Take();
}

Handled Summary(ProgressApi& api, Request& request) {
  TODO_CO_TRY_VOID(OnlyParameters(request, {}));
  TODO_CO_TRY(auto summary, co_await app::GetSummary(api.deps, request.subject));
  co_return Response::Json(200, SummaryJson(summary));
}

Handled Daily(ProgressApi& api, Request& request) {
  TODO_CO_TRY(int days, ParseDailyQuery(request));
  TODO_CO_TRY(auto buckets, co_await app::GetDaily(api.deps, request.subject, days));
  platform::JsonWriter w;
  w.StartObject();
  w.Key("days");
  w.StartArray();
  for (const auto& day : buckets) {
    w.StartObject();
    w.Field("date", domain::FormatDay(day.date));
    w.Field("created", day.created);
    w.Field("completed", day.completed);
    w.Field("expired", day.expired);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  co_return Response::Json(200, w.Take());
}

Handled Activity(ProgressApi& api, Request& request) {
  // Bound to the user; `limit` may change from page to page, nothing else is a parameter.
  std::string scope = platform::auth::CursorScopeText("activity", request.subject, {});
  TODO_CO_TRY(auto query, ParseActivityQuery(request, api.cursors, scope));
  TODO_CO_TRY(auto page,
              co_await app::GetActivity(api.deps, request.subject, query.before, query.limit));
  platform::JsonWriter w;
  w.StartObject();
  w.Key("items");
  w.StartArray();
  for (const auto& item : page.items) {
    w.StartObject();
    WriteItemFields(w, item);
    w.EndObject();
  }
  w.EndArray();
  w.Key("next_cursor");
  if (page.next_before) {
    w.String(api.cursors.Encode(std::to_string(*page.next_before), scope));
  } else {
    w.Null();
  }
  w.EndObject();
  co_return Response::Json(200, w.Take());
}

// Heartbeats fall on a grid of the steady clock (a fifteenth of the interval, at most a
// second): the streams due within one step wake together, so thousands of idle streams cost a
// wake-up a second, not one each.
std::chrono::steady_clock::time_point HeartbeatDue(std::chrono::steady_clock::time_point at,
                                                   std::chrono::milliseconds interval) {
  auto step = std::clamp<std::chrono::steady_clock::duration>(
      interval / 15, std::chrono::milliseconds(1), std::chrono::seconds(1));
  auto since_epoch = at.time_since_epoch();
  auto steps = (since_epoch + step - std::chrono::steady_clock::duration(1)) / step;
  return std::chrono::steady_clock::time_point(steps * step);
}

// Writes what the read model holds after `last` for the person (a stream's start, or one that
// fell too far behind for its inbox); false when the client has gone.
boost::asio::awaitable<bool> CatchUp(ProgressApi* api, const std::string& user_id,
                                     std::int64_t& last, platform::http::StreamWriter& writer) {
  for (;;) {
    api->hub.CountQuery();
    auto items = co_await api->deps.store.ActivitySince(user_id, last, kStreamPage);
    if (!items) co_return true;  // the hub's next delivery, or the next catch-up, fills the gap
    for (const auto& item : *items) {
      std::string event = SseEvent(item);
      if (!co_await writer.Write(std::move(event))) co_return false;
      last = item.seq;
    }
    if (static_cast<int>(items->size()) < kStreamPage) co_return true;
  }
}

// The live stream: what came after `last` (read from the read model), then what the hub hands
// over, with a heartbeat comment when nothing happens. Nothing runs while it is idle but the
// heartbeat; it ends when the client goes, the server stops, the token expires, or the hub says
// the session was revoked and the token no longer passes.
boost::asio::awaitable<void> StreamActivity(ProgressApi* api, std::string user_id,
                                            std::string session_id, std::string authorization,
                                            std::int64_t token_expires_at, std::int64_t last,
                                            bool resuming,
                                            std::shared_ptr<std::optional<StreamSlots::Slot>> slot,
                                            platform::http::StreamWriter& writer) {
  using Clock = std::chrono::steady_clock;
  // The stream's place in the user's quota is given back when this coroutine ends.
  std::optional<StreamSlots::Slot> held = std::move(*slot);
  slot->reset();
  auto executor = co_await boost::asio::this_coro::executor;
  // Subscribed before any catch-up, so nothing committed in between is missed (what both see
  // is written once: only ids after `last` are). A new stream reads nothing: the hub hands it
  // what comes after `last` unless it had already gone past it for the person's other streams.
  auto subscription = api->hub.Subscribe(user_id, session_id, executor, last);
  auto& inbox = **subscription;
  // A client that goes away ends the stream now (its slot and memory are given back), not at
  // the next write.
  writer.OnClosed([sub = subscription.get()] { sub->Wake(); });
  // The token's expiry on the steady clock: a stream outliving its token would outlive a
  // logout that the token's own expiry should have ended.
  auto token_left = std::chrono::sys_seconds(std::chrono::seconds(token_expires_at)) -
                    std::chrono::system_clock::now();
  auto token_end = Clock::now() + std::chrono::duration_cast<Clock::duration>(token_left);
  // Named, not temporaries inside co_await (see platform/offload.hpp for the g++ 12 trap).
  std::string hello = "retry: 2000\n: connected\n\n";
  if (!co_await writer.Write(std::move(hello))) co_return;
  if ((resuming || subscription->Behind()) && !co_await CatchUp(api, user_id, last, writer)) {
    co_return;
  }
  Request recheck;
  recheck.headers.emplace_back("authorization", authorization);
  auto quiet_since = Clock::now();
  while (!writer.Stopping() && !writer.Closed()) {
    if (inbox.TakeRecheck()) {
      auto still = co_await api->guard.Authenticate(recheck);
      if (!still) co_return;
    }
    if (Clock::now() >= token_end) co_return;
    if (inbox.TakeOverflow() && !co_await CatchUp(api, user_id, last, writer)) co_return;
    for (const auto& event : inbox.TakeEvents()) {
      if (event->seq <= last) continue;
      std::string text = event->text;
      if (!co_await writer.Write(std::move(text))) co_return;
      last = event->seq;
      quiet_since = Clock::now();
    }
    if (Clock::now() - quiet_since >= api->heartbeat) {
      std::string heartbeat = ": heartbeat\n\n";
      if (!co_await writer.Write(std::move(heartbeat))) co_return;
      quiet_since = Clock::now();
    }
    auto until = std::min(HeartbeatDue(quiet_since + api->heartbeat, api->heartbeat), token_end);
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
    co_await inbox.Wait(std::max(wait, std::chrono::milliseconds(1)));
  }
}

Handled Stream(ProgressApi& api, Request& request) {
  TODO_CO_TRY_VOID(OnlyParameters(request, {}));
  std::string user_id = request.subject;
  std::string authorization(request.Header("authorization"));
  std::int64_t last = 0;
  auto resume = request.Header("last-event-id");
  if (!resume.empty()) {
    auto parsed = PositiveNumber(resume);
    if (!parsed) {
      co_return Response::Problem(
          Error::InvalidField("Last-Event-ID", "is not an event id this stream sent"));
    }
    last = *parsed;
  } else {
    TODO_CO_TRY(last, co_await api.deps.store.LatestSeq(user_id));
  }
  auto slot = api.streams.Acquire(user_id);
  if (!slot) {
    co_return Response::Problem(Error::RateLimited("live stream quota of " +
                                                       std::to_string(api.streams.PerUser()) +
                                                       " open streams reached; close one first",
                                                   kStreamQuotaRetrySeconds));
  }
  auto held = std::make_shared<std::optional<StreamSlots::Slot>>(std::move(slot));
  Response response;
  response.status = 200;
  response.SetHeader("Content-Type", "text/event-stream");
  response.SetHeader("Cache-Control", "no-cache");
  // nginx passes the stream through unbuffered.
  response.SetHeader("X-Accel-Buffering", "no");
  ProgressApi* target = &api;
  response.stream = [target, user_id, session_id = request.session_id, authorization,
                     expires_at = request.token_expires_at, last, resuming = !resume.empty(),
                     held](platform::http::StreamWriter& writer) {
    return StreamActivity(target, user_id, session_id, authorization, expires_at, last, resuming,
                          held, writer);
  };
  co_return response;
}

}  // namespace

void AddProgressRoutes(platform::http::Router& router, ProgressApi& api,
                       platform::http::AuthGuard& guard, platform::http::UserRateLimit& limit) {
  auto bind = [&api, &guard, &limit](Handled (*handler)(ProgressApi&, Request&)) {
    return guard.Protect(
        limit.Limit([&api, handler](Request& request) { return handler(api, request); }));
  };
  router.Add("GET", "/v1/progress", bind(Summary));
  router.Add("GET", "/v1/progress/daily", bind(Daily));
  router.Add("GET", "/v1/activity", bind(Activity));
  router.Add("GET", "/v1/stream", bind(Stream));
}

}  // namespace progress::infra
