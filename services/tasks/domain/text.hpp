#pragma once
// Text checks of the task rules: strict UTF-8, code point counts, control characters (the
// UTF-8 helpers themselves are the platform's, shared with identity).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "platform/utf8.hpp"

namespace tasks::domain {

using platform::text::DecodeUtf8;
using platform::text::IsControlCodePoint;
using platform::text::TrimAsciiSpace;

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
