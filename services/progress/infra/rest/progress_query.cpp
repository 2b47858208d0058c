#include "infra/rest/progress_query.hpp"

#include <charconv>

#include "domain/progress.hpp"
#include "platform/try.hpp"

namespace progress::infra {

using platform::Error;
using platform::http::Request;

platform::Result<void> OnlyParameters(const Request& request,
                                      std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : request.QueryParams()) {
    bool known = false;
    for (auto a : allowed) known = known || name == a;
    if (!known) return std::unexpected(Error::InvalidField(name, "is not a known parameter"));
  }
  return {};
}

std::optional<std::string> Parameter(const Request& request, std::string_view name) {
  std::optional<std::string> found;
  for (auto& [key, value] : request.QueryParams()) {
    if (key == name) found = value;
  }
  return found;
}

std::optional<std::int64_t> PositiveNumber(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

platform::Result<int> ParseDailyQuery(const Request& request) {
  TODO_TRY_VOID(OnlyParameters(request, {"days"}));
  auto text = Parameter(request, "days");
  std::optional<std::string_view> view;
  if (text) view = *text;
  return domain::ParseDays(view);
}

platform::Result<ActivityQuery> ParseActivityQuery(const Request& request,
                                                   const platform::auth::CursorSigner& cursors,
                                                   std::string_view scope) {
  TODO_TRY_VOID(OnlyParameters(request, {"limit", "cursor"}));
  auto limit_text = Parameter(request, "limit");
  std::optional<std::string_view> limit_view;
  if (limit_text) limit_view = *limit_text;
  TODO_TRY(int limit, domain::ParseActivityLimit(limit_view));
  ActivityQuery query{limit, std::nullopt};
  if (auto cursor = Parameter(request, "cursor")) {
    if (auto position = cursors.Decode(*cursor, scope)) query.before = PositiveNumber(*position);
    if (!query.before) {
      return std::unexpected(Error::InvalidField("cursor", "does not belong to this query"));
    }
  }
  return query;
}

}  // namespace progress::infra
