// Query limits: the summary's `days` and the activity feed's `limit`.
#include <charconv>
#include <string>

#include "domain/progress.hpp"

namespace progress::domain {
namespace {

struct WholeNumberRule {
  std::string_view field;
  int default_value;
  int min;
  int max;
};

// Digits only: spaces, a '+' or a fraction leave characters from_chars does not read, a '-'
// gives a value below the range, and leading zeros ("007") are read as the number they spell.
std::expected<int, platform::Error> ParseWholeNumber(std::optional<std::string_view> text,
                                                     const WholeNumberRule& rule) {
  if (!text.has_value()) return rule.default_value;
  const auto invalid = [&rule] {
    return std::unexpected(platform::Error::InvalidField(
        rule.field, "must be a whole number from " + std::to_string(rule.min) + " to " +
                        std::to_string(rule.max)));
  };
  int value = 0;
  const char* end = text->data() + text->size();
  // from_chars takes the end, so the view need not end in a NUL.
  const auto [stop, error] = std::from_chars(
      text->data(), end, value);  // NOLINT(bugprone-suspicious-stringview-data-usage)
  if (error != std::errc() || stop != end) return invalid();
  if (value < rule.min || value > rule.max) return invalid();
  return value;
}

}  // namespace

std::expected<int, platform::Error> ParseDays(std::optional<std::string_view> text) {
  return ParseWholeNumber(text, {"days", 30, 1, 365});
}

std::expected<int, platform::Error> ParseActivityLimit(std::optional<std::string_view> text) {
  return ParseWholeNumber(text, {"limit", 20, 1, 100});
}

}  // namespace progress::domain
