#pragma once
// The UTF-8 helpers the identity rules use: the platform's (shared with the other services).

#include "platform/utf8.hpp"

namespace identity::domain {

using platform::text::AsciiLower;
using platform::text::CountCodePoints;
using platform::text::DecodeUtf8;
using platform::text::IsAsciiSpace;
using platform::text::IsControlCodePoint;
using platform::text::IsValidUtf8;
using platform::text::TrimAsciiSpace;

}  // namespace identity::domain
