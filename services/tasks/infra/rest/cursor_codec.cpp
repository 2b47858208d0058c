#include "infra/rest/cursor_codec.hpp"

#include <charconv>

#include "platform/time.hpp"
#include "platform/uuid.hpp"

namespace tasks::infra {
namespace {

platform::Error NotThisQuery() {
  return platform::Error::InvalidField("cursor", "does not belong to this query");
}

std::optional<std::int64_t> WholeNumber(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Whether `key` is a value the list statement of `sort` compares with: a priority rank, or a
// time in ms ("Infinity" standing for no time, on the sorts by an optional time). Times reach
// back to year 1, not 1970, for rows stored before the API refused earlier ones.
bool IsKeyOf(app::SortKey sort, std::string_view key) {
  constexpr std::int64_t kYearOneMs = -62'135'596'800'000;
  const bool optional_time = sort == app::SortKey::kDueAt || sort == app::SortKey::kExpiresAt;
  if (optional_time && key == "Infinity") return true;
  auto number = WholeNumber(key);
  if (!number) return false;
  if (sort == app::SortKey::kPriority) return *number >= 0 && *number <= 4;
  return *number >= kYearOneMs && *number <= platform::kMaxTime.time_since_epoch().count();
}

}  // namespace

std::string CursorCodec::Encode(const app::Cursor& cursor, std::string_view scope) const {
  return signer_.Encode(cursor.key + "|" + cursor.id, scope);
}

platform::Result<app::Cursor> CursorCodec::Decode(std::string_view token, std::string_view scope,
                                                  app::SortKey sort) const {
  auto position = signer_.Decode(token, scope);
  if (!position) return std::unexpected(NotThisQuery());
  auto bar = position->rfind('|');
  if (bar == std::string::npos) return std::unexpected(NotThisQuery());
  app::Cursor cursor{position->substr(0, bar), position->substr(bar + 1)};
  if (!platform::IsUuid(cursor.id) || !IsKeyOf(sort, cursor.key)) {
    return std::unexpected(NotThisQuery());
  }
  return cursor;
}

}  // namespace tasks::infra
