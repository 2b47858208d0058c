#include "app/use_cases.hpp"
#include "platform/try.hpp"

namespace tasks::app {

Async<domain::Task> GetTask(TaskDeps& deps, Actor actor, std::string id) {
  auto cached = co_await deps.cache.Get(actor.user_id, id);
  if (cached && *cached) co_return std::move(**cached);
  TODO_CO_TRY(std::optional<domain::Task> found, co_await deps.repository.Find(actor.user_id, id));
  if (!found) co_return std::unexpected(platform::Error::NotFound("task not found"));
  (void)co_await deps.cache.Put(*found);
  co_return std::move(*found);
}

Async<Page> ListTasks(TaskDeps& deps, ListQuery query) {
  co_return co_await deps.repository.List(std::move(query));
}

Async<std::string> ListTaskPage(TaskDeps& deps, ListPageCache& pages, ListQuery query,
                                std::string query_key, const RenderPage& render) {
  const std::string owner = query.owner_id;
  auto cached = co_await pages.GetPage(owner, query_key);
  if (cached && cached->body) co_return std::move(*cached->body);
  TODO_CO_TRY(const Page page, co_await deps.repository.List(std::move(query)));
  std::string body = render(page);
  if (cached) (void)co_await pages.PutPage(owner, cached->version, query_key, body);
  co_return body;
}

}  // namespace tasks::app
