#pragma once
// Durable pull consumers with explicit acks: how services read the event stream.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "platform/bus/jetstream.hpp"
#include "platform/error.hpp"

// nats.c's opaque handles (see jetstream.hpp).
typedef struct __natsMsg NatsMsg;                    // NOLINT(modernize-use-using)
typedef struct __natsSubscription NatsSubscription;  // NOLINT(modernize-use-using)

namespace platform::bus {

// Message: one delivered JetStream message; it must not outlive the consumer that fetched it
// (acknowledgements travel on the consumer's connection).
class Message {
 public:
  explicit Message(NatsMsg* msg) : msg_(msg) {}
  ~Message();
  Message(Message&& other) noexcept;
  Message& operator=(Message&& other) noexcept;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  std::string_view Subject() const;
  std::string_view Data() const;
  // The publisher's Nats-Msg-Id (the event id); empty when absent.
  std::string MsgId() const;
  // 1 on first delivery; grows with each redelivery (for bounded retries).
  std::uint64_t NumDelivered() const;
  // Stream sequence of the message; 0 when the metadata cannot be read.
  std::uint64_t StreamSequence() const;

  Result<void> Ack();
  // Asks for redelivery after delay, counted against the consumer's MaxDeliver.
  Result<void> Nak(std::chrono::milliseconds delay);
  // Never redeliver: for messages that can never succeed (parked by the caller).
  Result<void> Term();

 private:
  NatsMsg* msg_;
};

// PullConsumer: a durable, explicitly acked consumer that survives restarts of the process.
class PullConsumer {
 public:
  // Creates the durable or binds to it; deliveries start at the stream's beginning.
  static Result<std::unique_ptr<PullConsumer>> Create(
      JetStream& js, std::string stream, std::string durable, std::string filter_subject,
      int max_deliver = 5, std::chrono::milliseconds ack_wait = std::chrono::seconds(30));
  // Destroys the subscription only: the durable and its position stay on the server.
  ~PullConsumer();
  PullConsumer(const PullConsumer&) = delete;
  PullConsumer& operator=(const PullConsumer&) = delete;

  // Up to batch messages, waiting at most timeout; none within the timeout is an empty vector.
  Result<std::vector<Message>> Fetch(int batch, std::chrono::milliseconds timeout);

  // Messages not yet delivered plus those delivered and not yet acknowledged (the lag).
  Result<std::uint64_t> Pending();

  const std::string& Durable() const { return durable_; }

 private:
  PullConsumer(NatsSubscription* sub, std::string durable, JsCtx* js, std::string stream)
      : sub_(sub), durable_(std::move(durable)), js_(js), stream_(std::move(stream)) {}
  NatsSubscription* sub_;
  std::string durable_;
  JsCtx* js_;  // owned by the JetStream the consumer was created on
  std::string stream_;
};

}  // namespace platform::bus
