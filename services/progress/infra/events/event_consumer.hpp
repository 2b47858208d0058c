#pragma once
// EventConsumer: a durable JetStream pull consumer of every todo.* event, applied to the read
// model a batch at a time (acknowledged after commit). A message that fails every delivery is
// parked in dead_letters instead of blocking the ones behind it.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "infra/events/event_applier.hpp"
#include "platform/background_loop.hpp"
#include "platform/bus/consumer.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/metrics.hpp"

namespace progress::infra {

// ConsumerOptions: which stream and durable (the tests use their own).
struct ConsumerOptions {
  std::string stream = "TODO";
  std::string durable = "progress";
  std::string filter = "todo.>";
  int max_deliver = 5;
  // Messages fetched and committed together: a larger batch costs the same few statements
  // (see task_batch.hpp).
  int batch = 1000;
};

class EventConsumer {
 public:
  EventConsumer(std::string pg_conninfo, platform::bus::JetStream& js,
                ConsumerOptions options = {});
  ~EventConsumer();
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  void Start();
  void Stop();
  // Events applied (or found already applied) since start.
  std::int64_t Applied() const { return applied_.load(); }
  // Events in the stream not yet applied, as last seen (-1 before the consumer exists).
  std::int64_t Pending() const { return pending_->load(); }

 private:
  // One fetch and its batch; connects (again) first when needed.
  platform::BackgroundLoop::Next Step();
  void ApplyBatch(std::vector<platform::bus::Message>& batch);
  void Settle(platform::bus::Message& message, const std::expected<void, ApplyError>& result);

  std::string conninfo_;
  platform::bus::JetStream& js_;
  ConsumerOptions options_;
  EventApplier applier_;
  platform::metrics::Counter& applied_total_;
  platform::metrics::Counter& dead_letters_total_;
  std::atomic<std::int64_t> applied_{0};
  // Shared with the metrics callback, which may outlive the consumer.
  std::shared_ptr<std::atomic<std::int64_t>> pending_ =
      std::make_shared<std::atomic<std::int64_t>>(-1);
  // Used by the loop's thread only; dropped at Stop, so a restart connects afresh.
  std::unique_ptr<platform::bus::PullConsumer> consumer_;
  std::unique_ptr<platform::pg::Connection> conn_;
  platform::BackgroundLoop loop_;
};

// Rebuild: empties the read model and deletes the durable consumer, so the next consumer
// replays the stream from its first event. Run it while the service is stopped.
platform::Result<void> DropReadModel(const std::string& pg_conninfo, platform::bus::JetStream& js,
                                     const ConsumerOptions& options = {});

}  // namespace progress::infra
