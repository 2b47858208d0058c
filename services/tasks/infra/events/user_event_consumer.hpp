#pragma once
// UserEventConsumer: keeps the user replica (timezone, default task TTL) from todo.user.*
// events on a durable JetStream pull consumer, and erases a deleted user's tasks. Applying an
// event is idempotent and ordered by entity version, so redeliveries change nothing.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "platform/bus/jetstream.hpp"
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
  void Loop();
  std::string conninfo_;
  platform::bus::JetStream& js_;
  std::function<void(const std::string&)> on_erased_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace tasks::infra
