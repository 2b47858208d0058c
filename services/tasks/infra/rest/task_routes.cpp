#include "infra/rest/task_routes.hpp"

#include <algorithm>
#include <charconv>
#include <variant>

#include "infra/json/task_json.hpp"
#include "infra/rest/list_query.hpp"
#include "infra/rest/task_body.hpp"
#include "platform/json.hpp"
#include "platform/try.hpp"

namespace tasks::infra {

using platform::Error;
using platform::http::Request;
using platform::http::Response;
using Handled = boost::asio::awaitable<Response>;

namespace {

app::Actor ActorOf(const Request& request) { return {request.subject, request.request_id}; }

std::string ETag(const domain::Task& task) { return "\"" + std::to_string(task.version) + "\""; }

Response TaskResponse(int status, const domain::Task& task) {
  auto response = Response::Json(status, TaskJson(task));
  response.SetHeader("ETag", ETag(task));
  return response;
}

// The version an If-Match / If-None-Match names: "7", W/"7"; `*` means any (nullopt).
platform::Result<std::optional<std::int64_t>> VersionPrecondition(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  if (header == "*") return std::optional<std::int64_t>{};
  if (header.starts_with("W/")) header.remove_prefix(2);
  if (header.size() < 3 || header.front() != '"' || header.back() != '"') {
    return std::unexpected(Error::PreconditionFailed("If-Match must be an ETag such as \"3\""));
  }
  std::int64_t version = 0;
  auto digits = header.substr(1, header.size() - 2);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    // An ETag this service never hands out cannot match.
    return std::optional<std::int64_t>{-1};
  }
  return std::optional<std::int64_t>{version};
}

platform::Result<std::optional<std::int64_t>> IfMatch(const Request& request) {
  auto header = request.Header("if-match");
  if (header.empty()) return std::optional<std::int64_t>{};
  return VersionPrecondition(header);
}

// POST bodies that carry nothing (complete, reopen) must still be empty or `{}`.
platform::Result<void> EmptyBody(const Request& request) {
  if (request.body.empty()) return {};
  TODO_TRY(auto body, platform::StrictObject::Parse(request.body));
  return body.Finish();
}

// A 201 for a created task. A replay sends the same bytes: a FirstResponse's body is TaskJson of
// the task as it was created.
Response CreatedResponse(std::string body, const std::string& id, std::int64_t version) {
  auto response = Response::Json(201, std::move(body));
  response.SetHeader("ETag", "\"" + std::to_string(version) + "\"");
  response.SetHeader("Location", "/v1/tasks/" + id);
  return response;
}

// GET /v1/tasks's body: the page's tasks and the cursor of the next page (null on the last).
std::string PageJson(const app::Page& page, const CursorCodec& cursors, std::string_view scope) {
  platform::JsonWriter w;
  w.StartObject();
  w.Key("items");
  w.StartArray();
  for (const auto& task : page.items) WriteTask(w, task);
  w.EndArray();
  w.Key("next_cursor");
  if (page.next) {
    w.String(cursors.Encode(*page.next, scope));
  } else {
    w.Null();
  }
  w.EndObject();
  return w.Take();
}

// Renders pages for `request` (made outside the handler: its coroutine captures no parameters).
app::RenderPage PageRenderer(const CursorCodec& cursors, const Request& request) {
  return [&cursors, &request](const app::Page& page) {
    return PageJson(page, cursors, CursorScope(request, request.subject));
  };
}

bool HasHeader(const Request& request, std::string_view lower_name) {
  return std::ranges::any_of(request.headers,
                             [&](const auto& header) { return header.first == lower_name; });
}

// POST /v1/tasks with an Idempotency-Key: Redis answers retries fast and refuses a second
// request while the first runs; PostgreSQL (CreateTaskOnce) guarantees one task per key even
// when Redis lost the key or is down.
Handled CreateUnderKey(TaskApi& api, Request& request) {
  auto key = std::string(request.Header("idempotency-key"));
  TODO_CO_TRY_VOID(CheckIdempotencyKey(key));
  std::string hash = BodyHash(request.body);
  auto claim = co_await api.idempotency.Begin(request.subject, key, hash);
  using Kind = IdempotencyStore::Claim::Kind;
  if (claim.kind == Kind::kReplay) co_return claim.replay;
  if (claim.kind == Kind::kInProgress) co_return Response::Problem(KeyInProgress());
  if (claim.kind == Kind::kMismatch) co_return Response::Problem(KeyReusedWithAnotherBody());
  bool claimed = claim.kind == Kind::kClaimed;  // else Redis is down: PostgreSQL alone decides
  auto draft = ParseTaskDraft(request.body);
  platform::Result<app::CreateOutcome> outcome = std::unexpected(Error::Internal());
  if (draft) {
    auto actor = ActorOf(request);
    app::IdempotencyKey idempotency{key, hash};
    outcome = co_await app::CreateTaskOnce(api.deps, actor, std::move(*draft), idempotency);
  } else {
    outcome = std::unexpected(draft.error());
  }
  if (!outcome) {
    if (claimed) co_await api.idempotency.Abandon(request.subject, key);
    co_return Response::Problem(outcome.error());
  }
  Response response;
  bool replayed = std::holds_alternative<app::FirstResponse>(*outcome);
  if (replayed) {
    auto& first = std::get<app::FirstResponse>(*outcome);
    response = CreatedResponse(std::move(first.body), first.task_id, first.task_version);
  } else {
    const auto& task = std::get<domain::Task>(*outcome);
    response = CreatedResponse(TaskJson(task), task.id, task.version);
  }
  if (claimed) co_await api.idempotency.Finish(request.subject, key, hash, response);
  if (replayed) response.SetHeader("Idempotent-Replayed", "true");
  co_return response;
}

}  // namespace

Handled CreateTaskRoute(TaskApi& api, Request& request) {
  if (HasHeader(request, "idempotency-key")) co_return co_await CreateUnderKey(api, request);
  TODO_CO_TRY(domain::TaskDraft draft, ParseTaskDraft(request.body));
  auto actor = ActorOf(request);
  TODO_CO_TRY(const domain::Task task, co_await app::CreateTask(api.deps, actor, std::move(draft)));
  co_return CreatedResponse(TaskJson(task), task.id, task.version);
}

namespace {

Handled Get(TaskApi& api, Request& request) {
  auto actor = ActorOf(request);
  auto id = request.params.at("id");
  TODO_CO_TRY(const domain::Task task, co_await app::GetTask(api.deps, actor, id));
  if (auto header = request.Header("if-none-match"); !header.empty()) {
    auto wanted = VersionPrecondition(header);
    if (wanted && (!*wanted || **wanted == task.version)) {
      Response not_modified;
      not_modified.status = 304;
      not_modified.SetHeader("ETag", ETag(task));
      co_return not_modified;
    }
  }
  co_return TaskResponse(200, task);
}

Handled List(TaskApi& api, Request& request) {
  TODO_CO_TRY(app::ListQuery query, ParseListQuery(request, request.subject, api.cursors));
  std::string page_key = BodyHash(request.query);
  const app::RenderPage render = PageRenderer(api.cursors, request);
  TODO_CO_TRY(std::string body, co_await app::ListTaskPage(api.deps, api.pages, std::move(query),
                                                           std::move(page_key), render));
  co_return Response::Json(200, std::move(body));
}

Handled Patch(TaskApi& api, Request& request) {
  TODO_CO_TRY(const std::optional<std::int64_t> if_match, IfMatch(request));
  TODO_CO_TRY(domain::TaskPatch patch, ParseTaskPatch(request.body));
  auto actor = ActorOf(request);
  auto id = request.params.at("id");
  TODO_CO_TRY(const domain::Task task,
              co_await app::PatchTask(api.deps, actor, id, std::move(patch), if_match));
  co_return TaskResponse(200, task);
}

Handled Delete(TaskApi& api, Request& request) {
  TODO_CO_TRY(const std::optional<std::int64_t> if_match, IfMatch(request));
  auto actor = ActorOf(request);
  auto id = request.params.at("id");
  TODO_CO_TRY_VOID(co_await app::DeleteTask(api.deps, actor, id, if_match));
  co_return Response::NoContent();
}

Handled Complete(TaskApi& api, Request& request) {
  TODO_CO_TRY(const std::optional<std::int64_t> if_match, IfMatch(request));
  TODO_CO_TRY_VOID(EmptyBody(request));
  auto actor = ActorOf(request);
  auto id = request.params.at("id");
  TODO_CO_TRY(const domain::Task task, co_await app::CompleteTask(api.deps, actor, id, if_match));
  co_return TaskResponse(200, task);
}

Handled Reopen(TaskApi& api, Request& request) {
  TODO_CO_TRY(const std::optional<std::int64_t> if_match, IfMatch(request));
  TODO_CO_TRY_VOID(EmptyBody(request));
  auto actor = ActorOf(request);
  auto id = request.params.at("id");
  TODO_CO_TRY(const domain::Task task, co_await app::ReopenTask(api.deps, actor, id, if_match));
  co_return TaskResponse(200, task);
}

Handled AddItem(TaskApi& api, Request& request) {
  TODO_CO_TRY(const std::optional<std::int64_t> if_match, IfMatch(request));
  TODO_CO_TRY(std::string text, ParseChecklistItemText(request.body));
  auto actor = ActorOf(request);
  auto id = request.params.at("id");
  TODO_CO_TRY(const domain::Task task,
              co_await app::AddChecklistItem(api.deps, actor, id, text, if_match));
  co_return TaskResponse(201, task);
}

Handled UpdateItem(TaskApi& api, Request& request) {
  TODO_CO_TRY(const std::optional<std::int64_t> if_match, IfMatch(request));
  TODO_CO_TRY(ChecklistItemChange change, ParseChecklistItemChange(request.body));
  auto actor = ActorOf(request);
  auto id = request.params.at("id");
  auto item = request.params.at("item_id");
  TODO_CO_TRY(const domain::Task task,
              co_await app::UpdateChecklistItem(api.deps, actor, id, item, change.text, change.done,
                                                if_match));
  co_return TaskResponse(200, task);
}

Handled RemoveItem(TaskApi& api, Request& request) {
  TODO_CO_TRY(const std::optional<std::int64_t> if_match, IfMatch(request));
  auto actor = ActorOf(request);
  auto id = request.params.at("id");
  auto item = request.params.at("item_id");
  TODO_CO_TRY(const domain::Task task,
              co_await app::RemoveChecklistItem(api.deps, actor, id, item, if_match));
  co_return TaskResponse(200, task);
}

}  // namespace

void AddTaskRoutes(platform::http::Router& router, TaskApi& api, platform::http::AuthGuard& guard,
                   platform::http::UserRateLimit& limit) {
  auto bind = [&](Handled (*handler)(TaskApi&, Request&)) {
    return guard.Protect(
        limit.Limit([&api, handler](Request& request) { return handler(api, request); }));
  };
  router.Add("POST", "/v1/tasks", bind(CreateTaskRoute));
  router.Add("GET", "/v1/tasks", bind(List));
  router.Add("GET", "/v1/tasks/{id}", bind(Get));
  router.Add("PATCH", "/v1/tasks/{id}", bind(Patch));
  router.Add("DELETE", "/v1/tasks/{id}", bind(Delete));
  router.Add("POST", "/v1/tasks/{id}/complete", bind(Complete));
  router.Add("POST", "/v1/tasks/{id}/reopen", bind(Reopen));
  router.Add("POST", "/v1/tasks/{id}/checklist", bind(AddItem));
  router.Add("PATCH", "/v1/tasks/{id}/checklist/{item_id}", bind(UpdateItem));
  router.Add("DELETE", "/v1/tasks/{id}/checklist/{item_id}", bind(RemoveItem));
}

}  // namespace tasks::infra
