#include "infra/rest/list_query.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "domain/text.hpp"
#include "platform/time.hpp"
#include "platform/try.hpp"

namespace tasks::infra {
namespace {

constexpr std::array<std::string_view, 11> kKnown = {
    "status",         "label",         "priority", "q",     "due_before", "due_after",
    "expires_before", "expires_after", "sort",     "limit", "cursor"};

struct SortOption {
  std::string_view name;
  app::SortKey key;
  bool descending;
};

constexpr std::array<SortOption, 10> kSorts = {{
    {"created_at", app::SortKey::kCreatedAt, false},
    {"-created_at", app::SortKey::kCreatedAt, true},
    {"updated_at", app::SortKey::kUpdatedAt, false},
    {"-updated_at", app::SortKey::kUpdatedAt, true},
    {"due_at", app::SortKey::kDueAt, false},
    {"-due_at", app::SortKey::kDueAt, true},
    {"expires_at", app::SortKey::kExpiresAt, false},
    {"-expires_at", app::SortKey::kExpiresAt, true},
    {"priority", app::SortKey::kPriority, false},
    {"-priority", app::SortKey::kPriority, true},
}};

}  // namespace

std::string CursorScope(const platform::http::Request& request, std::string_view owner_id) {
  auto params = request.QueryParams();
  std::erase_if(params, [](const auto& p) { return p.first == "cursor" || p.first == "limit"; });
  std::sort(params.begin(), params.end());
  return platform::auth::CursorScopeText("tasks", owner_id, params);
}

platform::Result<app::ListQuery> ParseListQuery(const platform::http::Request& request,
                                                const std::string& owner_id,
                                                const CursorCodec& codec) {
  app::ListQuery query;
  query.owner_id = owner_id;
  std::vector<platform::FieldError> errors;
  std::set<std::string> seen;
  std::optional<std::string> cursor_token;
  auto time = [&](const std::string& name, const std::string& value) {
    auto parsed = platform::ParseTimestamp(value);
    if (!parsed) errors.push_back({name, "must be an RFC 3339 time in the years 1970 to 9999"});
    return parsed;
  };
  for (const auto& [name, value] : request.QueryParams()) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) {
      errors.push_back({name, "is not a known filter"});
      continue;
    }
    if (!seen.insert(name).second) {
      errors.push_back({name, "is given more than once"});
      continue;
    }
    if (name == "status") {
      std::string_view rest = value;
      while (true) {
        auto comma = rest.find(',');
        auto word = rest.substr(0, comma);
        auto status = domain::ParseStatus(word);
        if (!status) {
          errors.push_back({"status", "must be a comma list of todo, in_progress, done, expired"});
          break;
        }
        query.statuses.push_back(*status);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
      }
    } else if (name == "label") {
      // Checked like a label of a task: the database refuses what is not UTF-8 (or holds a
      // NUL), and that must be this 400, not its 500.
      if (auto problem = domain::CheckText(value, {1, 200, false})) {
        errors.push_back({"label", *problem});
      }
      query.label = value;
    } else if (name == "priority") {
      query.priority = domain::ParsePriority(value);
      if (!query.priority) {
        errors.push_back({"priority", "must be one of none, low, medium, high, urgent"});
      }
    } else if (name == "q") {
      if (auto problem = domain::CheckText(value, {1, 200, false})) {
        errors.push_back({"q", *problem});
      }
      query.text = value;
    } else if (name == "due_before") {
      query.due_before = time(name, value);
    } else if (name == "due_after") {
      query.due_after = time(name, value);
    } else if (name == "expires_before") {
      query.expires_before = time(name, value);
    } else if (name == "expires_after") {
      query.expires_after = time(name, value);
    } else if (name == "sort") {
      auto it = std::find_if(kSorts.begin(), kSorts.end(),
                             [&](const SortOption& s) { return s.name == value; });
      if (it == kSorts.end()) {
        errors.push_back({"sort",
                          "must be one of created_at, updated_at, due_at, expires_at, "
                          "priority, each optionally prefixed by -"});
      } else {
        query.sort = it->key;
        query.descending = it->descending;
      }
    } else if (name == "cursor") {
      cursor_token = value;
    } else if (name == "limit") {
      int limit = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec != std::errc() || end != value.data() + value.size() || limit < 1 || limit > 200) {
        errors.push_back({"limit", "must be an integer from 1 to 200"});
      } else {
        query.limit = limit;
      }
    }
  }
  if (errors.empty() && cursor_token) {
    TODO_TRY(query.after, codec.Decode(*cursor_token, CursorScope(request, owner_id), query.sort));
  }
  if (!errors.empty()) {
    return std::unexpected(platform::Error::Validation("the query is not valid", errors));
  }
  return query;
}

}  // namespace tasks::infra
