#pragma once
// Strict UTF-8 and plain-text helpers for the services' domain rules, which count characters
// (code points, not bytes) and refuse control characters. Standard library only.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace platform::text {

// The code points of `text`, or nullopt when it is not well-formed UTF-8 (overlong forms,
// surrogates and values past U+10FFFF are refused, so a length limit cannot be dodged).
std::optional<std::u32string> DecodeUtf8(std::string_view text);

// Whether `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

// The number of code points in `text`, or nullopt when it is not well-formed UTF-8.
std::optional<std::size_t> CountCodePoints(std::string_view text);

// Whether `c` is a C0 control, DEL or a C1 control (U+0000..U+001F, U+007F..U+009F).
constexpr bool IsControlCodePoint(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// Whether `c` is one of the ASCII whitespace bytes (space, \t, \n, \v, \f, \r).
constexpr bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// `text` without leading and trailing ASCII whitespace.
std::string_view TrimAsciiSpace(std::string_view text);

// A copy of `text` with A-Z lower-cased and every other byte (UTF-8 included) unchanged.
std::string AsciiLower(std::string_view text);

}  // namespace platform::text
