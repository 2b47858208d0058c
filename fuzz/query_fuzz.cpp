// Fuzzes query-string parsing: GET /v1/tasks (filters, sort, limit, cursor) and the progress
// endpoints' parameters, through the functions their handlers call. Invariants: accepted values
// are in their documented ranges; two queries that get the same cursor scope ask for the same
// thing (else a cursor made for one is accepted by the other); a cursor the service hands out
// for a query is accepted by that query.

#include <algorithm>

#include "fuzz_input.hpp"
#include "infra/rest/list_query.hpp"
#include "infra/rest/progress_query.hpp"

namespace {

const std::string kOwner = "0194e0d2-0000-7000-8000-0000000000aa";

const tasks::infra::CursorCodec& Codec() {
  static const tasks::infra::CursorCodec kCodec("fuzz-cursor-secret-0123456789abcdef");
  return kCodec;
}

platform::http::Request RequestFor(std::string_view query) {
  platform::http::Request request;
  request.method = "GET";
  request.path = "/v1/tasks";
  request.query = std::string(query);
  request.target = request.path + "?" + request.query;
  return request;
}

// The decoded parameters a cursor must be bound to: all but cursor and limit, sorted.
std::vector<std::pair<std::string, std::string>> Filters(const platform::http::Request& request) {
  auto params = request.QueryParams();
  std::erase_if(params, [](const auto& p) { return p.first == "cursor" || p.first == "limit"; });
  std::sort(params.begin(), params.end());
  return params;
}

void FuzzTaskList(fuzz::FuzzInput& input) {
  auto first = RequestFor(input.Line());
  auto second = RequestFor(input.Rest());
  auto query = tasks::infra::ParseListQuery(first, kOwner, Codec());
  auto params = first.QueryParams();
  bool has_cursor =
      std::any_of(params.begin(), params.end(), [](const auto& p) { return p.first == "cursor"; });
  if (query && !has_cursor) {
    TODO_FUZZ_CHECK(query->owner_id == kOwner);
    TODO_FUZZ_CHECK(query->limit >= 1 && query->limit <= 200);
    // The next page: the cursor the handler hands out for this query is accepted by it.
    // "2" is a key of every sort: a priority rank, and a time (in ms).
    tasks::app::Cursor cursor{"2", "0194e0d2-0000-7000-8000-000000000001"};
    auto next = RequestFor(first.query + "&cursor=" +
                           Codec().Encode(cursor, tasks::infra::CursorScope(first, kOwner)));
    auto page = tasks::infra::ParseListQuery(next, kOwner, Codec());
    TODO_FUZZ_CHECK(page && page->after && page->after->key == cursor.key &&
                    page->after->id == cursor.id);
  }
  if (tasks::infra::CursorScope(first, kOwner) == tasks::infra::CursorScope(second, kOwner)) {
    TODO_FUZZ_CHECK(Filters(first) == Filters(second));
  }
}

void FuzzDaily(std::string_view query) {
  platform::http::Request request;
  request.query = std::string(query);
  auto days = progress::infra::ParseDailyQuery(request);
  if (days) TODO_FUZZ_CHECK(*days >= 1 && *days <= 365);
}

void FuzzActivity(std::string_view query) {
  platform::http::Request request;
  request.query = std::string(query);
  static const platform::auth::CursorSigner kSigner("fuzz-cursor-secret-0123456789abcdef");
  auto page = progress::infra::ParseActivityQuery(
      request, kSigner, platform::auth::CursorScopeText("activity", kOwner, {}));
  if (page) TODO_FUZZ_CHECK(page->limit >= 1 && page->limit <= 100);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  switch (input.Mode(3)) {
    case 0:
      FuzzTaskList(input);
      break;
    case 1:
      FuzzDaily(input.Rest());
      break;
    default:
      FuzzActivity(input.Rest());
      break;
  }
  return 0;
}
