#pragma once
// Email rules: the one canonical spelling of an address, so uniqueness and login agree.

#include <cstddef>
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace identity::domain {

inline constexpr std::size_t kMinEmailBytes = 3;
inline constexpr std::size_t kMaxEmailBytes = 254;
inline constexpr std::size_t kMaxEmailLocalPartBytes = 64;

// Trims ASCII whitespace and lower-cases ASCII letters, then checks the address is plausible
// (one '@', sane lengths, a dotted domain, no characters that break headers or quoting).
// Deliverability is not checked: only a mail round trip could prove it. Error field "email".
platform::Result<std::string> NormalizeEmail(std::string_view raw);

}  // namespace identity::domain
