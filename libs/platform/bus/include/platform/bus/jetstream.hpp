#pragma once
// JetStream: one NATS connection with its JetStream context, for stream set-up and publishing.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

// nats.c's opaque handles, declared as <nats/nats.h> does, so that this header does not bring
// the library to every user of the bus (the names are the library's).
typedef struct __natsConnection NatsConnection;  // NOLINT(modernize-use-using)
typedef struct __jsCtx JsCtx;                    // NOLINT(modernize-use-using)

namespace platform::bus {

// StreamSpec: the stream a service expects; file storage, deduplicated by Nats-Msg-Id, and
// when full the oldest messages are discarded. A zero or negative limit is no limit.
struct StreamSpec {
  std::string name = "TODO";
  std::vector<std::string> subjects = {"todo.>"};
  std::chrono::seconds duplicate_window{120};
  std::chrono::seconds max_age{0};
  std::int64_t max_bytes = -1;
  // 1 keeps only the newest message of each subject (a compacted stream).
  std::int64_t max_msgs_per_subject = -1;
  // Copies kept by a NATS cluster (1 on a single server; 3 in production, see operations.md).
  int replicas = 1;
};

// StreamState: what a stream holds and the limits it runs with (tests, operations).
struct StreamState {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  std::chrono::seconds max_age{0};
  std::int64_t max_bytes = -1;
  std::int64_t max_msgs_per_subject = -1;
};

// PublishAck: where the stream stored a message, or that it dropped it as a duplicate.
struct PublishAck {
  std::uint64_t sequence = 0;
  bool duplicate = false;
};

// JetStream: owns a connection that reconnects for ever; thread-safe for publishing.
// OutgoingMessage: one message of a batch publish.
struct OutgoingMessage {
  std::string subject;
  std::string data;
  std::string msg_id;
};

class JetStream {
 public:
  // Fails when the server cannot be reached now; later outages are survived by reconnecting.
  static Result<std::unique_ptr<JetStream>> Connect(const std::string& url,
                                                    const std::string& client_name);
  ~JetStream();
  JetStream(const JetStream&) = delete;
  JetStream& operator=(const JetStream&) = delete;

  // Creates the stream or updates it to the spec; safe when several processes race.
  Result<void> EnsureStream(const StreamSpec& spec);
  // Removes a stream and its messages (tests, operations); a missing stream is not an error.
  Result<void> DeleteStream(const std::string& name);
  // The stream's contents and limits as the server reports them now.
  Result<StreamState> State(const std::string& stream);
  // Removes every message of one subject (a wildcard matches many) from a stream.
  Result<void> PurgeSubject(const std::string& stream, const std::string& subject);
  // Deletes a durable consumer (its position is lost); a missing one is not an error.
  Result<void> DeleteConsumer(const std::string& stream, const std::string& durable);
  // Publishes with a Nats-Msg-Id header and waits for the stream's acknowledgement.
  Result<PublishAck> Publish(std::string_view subject, std::string_view data,
                             std::string_view msg_id);
  // Publishes a batch in order without waiting for each acknowledgement, then waits (up to
  // `timeout`) for all of them. Any failure fails the whole batch: whatever was stored is
  // dropped as a duplicate (Nats-Msg-Id) when the batch is published again.
  Result<void> PublishBatch(const std::vector<OutgoingMessage>& batch,
                            std::chrono::milliseconds timeout);
  bool Connected() const;

  NatsConnection* RawConnection() { return conn_; }
  JsCtx* RawContext() { return js_; }

 private:
  JetStream(NatsConnection* conn, JsCtx* js, std::unique_ptr<std::atomic<std::uint64_t>> failures)
      : conn_(conn), js_(js), async_failures_(std::move(failures)) {}
  NatsConnection* conn_;
  JsCtx* js_;
  // Counted by the asynchronous publish error handler (jsCtx keeps a pointer to it).
  std::unique_ptr<std::atomic<std::uint64_t>> async_failures_;
};

}  // namespace platform::bus
