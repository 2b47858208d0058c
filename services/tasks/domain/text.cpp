#include "domain/text.hpp"

#include <algorithm>
#include <cstdint>

namespace tasks::domain {

std::optional<std::string> CheckText(std::string_view text, const TextRules& rules) {
  const auto code_points = DecodeUtf8(text);
  if (!code_points) return "must be valid UTF-8";
  if (code_points->size() < rules.min_chars) {
    return rules.min_chars == 1
               ? std::string("must not be empty")
               : "must be at least " + std::to_string(rules.min_chars) + " characters";
  }
  if (code_points->size() > rules.max_chars) {
    return "must be at most " + std::to_string(rules.max_chars) + " characters";
  }
  const bool has_forbidden_control = std::ranges::any_of(*code_points, [&](char32_t c) {
    if (rules.allow_line_breaks_and_tabs && (c == U'\n' || c == U'\r' || c == U'\t')) return false;
    return IsControlCodePoint(c);
  });
  if (has_forbidden_control) {
    return rules.allow_line_breaks_and_tabs
               ? "must not contain control characters other than line breaks and tabs"
               : "must not contain control characters";
  }
  return std::nullopt;
}

}  // namespace tasks::domain
