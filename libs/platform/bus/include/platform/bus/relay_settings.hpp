#pragma once
// ReadOutboxRelayOptions: the relay's settings from the environment (TODO_OUTBOX_*).

#include "platform/bus/event_streams.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/config.hpp"

namespace platform::bus {

// Declares TODO_OUTBOX_BATCH and TODO_OUTBOX_RETENTION_SECONDS on `config` and reads them;
// tombstones last as long as the history stream keeps events (`streams.max_age`).
OutboxRelayOptions ReadOutboxRelayOptions(Config& config, const EventStreamSettings& streams);

}  // namespace platform::bus
