#include "platform/bus/relay_settings.hpp"

namespace platform::bus {

OutboxRelayOptions ReadOutboxRelayOptions(Config& config, const EventStreamSettings& streams) {
  OutboxRelayOptions o;
  o.batch = static_cast<int>(config.Integer(
      "TODO_OUTBOX_BATCH", o.batch, 1, 10000,
      "outbox rows the relay publishes per transaction (one wait for the acks of all)"));
  o.retention = std::chrono::seconds(
      config.Integer("TODO_OUTBOX_RETENTION_SECONDS", o.retention.count(), 1, 30LL * 86400,
                     "how long (s) a published outbox row is kept before it is deleted"));
  o.tombstone_age = streams.max_age;
  return o;
}

}  // namespace platform::bus
