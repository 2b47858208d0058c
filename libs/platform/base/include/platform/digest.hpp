#pragma once
// SHA-256 as lower-case hex: how the services fingerprint secrets and bodies they keep.

#include <string>
#include <string_view>

namespace platform {

std::string Sha256Hex(std::string_view data);

}  // namespace platform
