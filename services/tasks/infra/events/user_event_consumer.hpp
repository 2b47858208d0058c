#pragma once
// UserEventConsumer: keeps the user replica (timezone, default task TTL) from todo.user.*
// events on a durable JetStream pull consumer, and erases a deleted user's tasks. Applying an
// event is idempotent and ordered by entity version, so redeliveries change nothing.

#include <functional>
#include <memory>
#include <string>

#include "platform/background_loop.hpp"
#include "platform/bus/consumer.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/metrics.hpp"
#include "platform/pg/connection.hpp"

namespace tasks::infra {

class UserEventConsumer {
 public:
  // on_erased runs after a user's tasks were erased (to drop their cache entries).
  UserEventConsumer(std::string pg_conninfo, platform::bus::JetStream& js,
                    std::function<void(const std::string& user_id)> on_erased = {});
  ~UserEventConsumer();
  void Start();
  void Stop();
  // Applies one event (JSON envelope) in one transaction; exposed for tests.
  platform::pg::DbResult<void> Apply(platform::pg::Connection& conn, std::string_view subject,
                                     std::string_view payload);

 private:
  // The loop's step: (re)creates the consumer and the connection, then applies one fetch.
  platform::BackgroundLoop::Next Step();
  // Acks an applied message; naks a failed one for redelivery, or parks it after the last.
  void Settle(platform::bus::Message& message, const platform::pg::DbResult<void>& applied);

  std::string conninfo_;
  platform::bus::JetStream& js_;
  std::function<void(const std::string&)> on_erased_;
  platform::metrics::Counter* dead_letters_ = nullptr;
  // Used only on the loop's thread.
  std::unique_ptr<platform::bus::PullConsumer> consumer_;
  std::unique_ptr<platform::pg::Connection> conn_;
  platform::BackgroundLoop loop_;
};

}  // namespace tasks::infra
