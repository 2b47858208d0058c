#pragma once
// The RFC 9457 problem+json document of an Error, as every error response carries it.

#include <string>

#include "platform/error.hpp"

namespace platform {

std::string ToProblemJson(const Error& error);

}  // namespace platform
