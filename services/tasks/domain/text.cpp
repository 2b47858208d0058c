#include "domain/text.hpp"

#include <algorithm>
#include <cstdint>

namespace tasks::domain {

std::optional<std::u32string> DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    std::size_t extra = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    }
    if ((lead & 0xE0) == 0xC0) {
      extra = 1;
      cp = lead & 0x1F;
      min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2;
      cp = lead & 0x0F;
      min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3;
      cp = lead & 0x07;
      min = 0x10000;
    } else {
      return std::nullopt;  // a stray continuation byte or 0xF8..0xFF
    }
    if (text.size() - i <= extra) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

std::string_view TrimAsciiSpace(std::string_view text) {
  constexpr auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
  };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

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
