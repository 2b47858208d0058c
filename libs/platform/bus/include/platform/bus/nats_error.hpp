#pragma once
// NatsError: turns a nats.c failure into an Error, logging what the library said about it.

#include <string_view>

#include "platform/error.hpp"

namespace platform::bus {

// Logs the status, JetStream error code and the library's last error text; returns an
// Unavailable error whose detail names only the operation and the status. `status` and `code`
// are nats.c's natsStatus and jsErrCode, taken as int (they convert implicitly) so that this
// header does not bring <nats/nats.h> to the part's users.
Error NatsError(std::string_view what, int status, int code = 0);

}  // namespace platform::bus
