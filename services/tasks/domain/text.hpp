#pragma once
// Text checks of the task rules: strict UTF-8, code point counts, control characters.
// A private copy of identity's utf8 helpers so the services build and evolve independently.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tasks::domain {

// The code points of `text`, or nullopt when it is not well-formed UTF-8 (overlong forms,
// surrogates and values past U+10FFFF are refused, so a length limit cannot be dodged).
std::optional<std::u32string> DecodeUtf8(std::string_view text);

// Whether `c` is a C0 control, DEL or a C1 control (U+0000..U+001F, U+007F..U+009F).
constexpr bool IsControlCodePoint(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// `text` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
std::string_view TrimAsciiSpace(std::string_view text);

// How a text field is checked: its code point limits and which controls it may carry.
struct TextRules {
  std::size_t min_chars = 0;
  std::size_t max_chars = 0;
  bool allow_line_breaks_and_tabs = false;  // \n \r \t, for multi-line text
};

// Why `text` breaks `rules` ("must be valid UTF-8", "must not be empty", ...), or nullopt
// when it is acceptable. The caller trims first when the field is trimmed.
std::optional<std::string> CheckText(std::string_view text, const TextRules& rules);

}  // namespace tasks::domain
