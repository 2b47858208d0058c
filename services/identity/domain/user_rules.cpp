#include "domain/user_rules.hpp"

#include <algorithm>
#include <iterator>

#include "domain/utf8.hpp"

namespace identity::domain {
namespace {

platform::Error Invalid(std::string_view field, std::string message) {
  return platform::Error::InvalidField(field, std::move(message));
}

}  // namespace

platform::Result<std::string> ValidateName(std::string_view raw) {
  constexpr std::string_view kField = "name";
  const std::string_view name = TrimAsciiSpace(raw);
  const auto code_points = DecodeUtf8(name);
  if (!code_points) return std::unexpected(Invalid(kField, "must be valid UTF-8"));
  if (code_points->empty()) return std::unexpected(Invalid(kField, "must not be empty"));
  if (code_points->size() > kMaxNameCodePoints) {
    return std::unexpected(
        Invalid(kField, "must be at most " + std::to_string(kMaxNameCodePoints) + " characters"));
  }
  if (std::ranges::any_of(*code_points, IsControlCodePoint)) {
    return std::unexpected(Invalid(kField, "must not contain control characters"));
  }
  return std::string(name);
}

platform::Result<void> ValidateDefaultTaskTtl(std::int64_t seconds) {
  if (seconds < kMinDefaultTaskTtlSeconds || seconds > kMaxDefaultTaskTtlSeconds) {
    return std::unexpected(Invalid("default_task_ttl_seconds",
                                   "must be between " + std::to_string(kMinDefaultTaskTtlSeconds) +
                                       " and " + std::to_string(kMaxDefaultTaskTtlSeconds) +
                                       " seconds (366 days)"));
  }
  return {};
}

TimezoneCatalog::TimezoneCatalog(std::vector<std::string> names)
    : names_(std::make_move_iterator(names.begin()), std::make_move_iterator(names.end())) {}

bool TimezoneCatalog::Contains(std::string_view name) const {
  return names_.contains(std::string(name));
}

platform::Result<void> ValidateTimezone(std::string_view name, const TimezoneCatalog& catalog) {
  if (!catalog.Contains(name)) {
    return std::unexpected(
        Invalid("timezone", "must be an IANA time zone name such as Asia/Jakarta or UTC"));
  }
  return {};
}

}  // namespace identity::domain
