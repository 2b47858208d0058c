#pragma once
// NatsError: turns a nats.c failure into an Error, logging what the library said about it.

#include <nats/nats.h>

#include <string_view>

#include "platform/error.hpp"

namespace platform::bus {

// Logs the status, JetStream error code and the library's last error text; returns an
// Unavailable error whose detail names only the operation and the status.
Error NatsError(std::string_view what, natsStatus status,
                jsErrCode code = static_cast<jsErrCode>(0));

}  // namespace platform::bus
