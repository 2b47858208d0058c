#include "platform/bus/stream_reader.hpp"

#include <nats/nats.h>

#include <chrono>

#include "platform/bus/nats_error.hpp"
#include "platform/try.hpp"

namespace platform::bus {
namespace {

// The server sends a heartbeat every few seconds when it has nothing to deliver: this long
// without a message means the read is stuck, not that it is slow.
constexpr std::chrono::seconds kStallTimeout{15};

// Closes an ephemeral subscription: the server drops its consumer.
struct Subscription {
  natsSubscription* sub = nullptr;
  ~Subscription() {
    if (sub == nullptr) return;
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
  }
};

}  // namespace

Result<std::uint64_t> ReadStreamToEnd(JetStream& js, const std::string& stream,
                                      const std::string& filter,
                                      const std::function<Result<void>(const Message&)>& each) {
  TODO_TRY(StreamState state, js.State(stream));
  if (state.messages == 0) return std::uint64_t{0};

  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverAll;
  Subscription s;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus status =
      js_SubscribeSync(&s.sub, js.RawContext(), filter.c_str(), nullptr, &so, &code);
  if (status != NATS_OK) return std::unexpected(NatsError("read " + stream, status, code));
  // A rebuild reads as fast as it can apply: no client-side limit that would drop messages.
  if (status = natsSubscription_SetPendingLimits(s.sub, -1, -1); status != NATS_OK) {
    return std::unexpected(NatsError("read " + stream, status));
  }

  jsConsumerInfo* info = nullptr;
  status = natsSubscription_GetConsumerInfo(&info, s.sub, nullptr, &code);
  if (status != NATS_OK) return std::unexpected(NatsError("read " + stream, status, code));
  // Nothing left and nothing delivered yet (the stream sequence moves past other subjects).
  bool nothing = info->NumPending == 0 && info->Delivered.Consumer == 0;
  jsConsumerInfo_Destroy(info);
  if (nothing) return std::uint64_t{0};

  std::uint64_t last = 0;
  for (;;) {
    natsMsg* raw = nullptr;
    status = natsSubscription_NextMsg(
        &raw, s.sub, std::chrono::duration_cast<std::chrono::milliseconds>(kStallTimeout).count());
    if (status != NATS_OK) return std::unexpected(NatsError("read " + stream, status));
    Message message(raw);
    jsMsgMetaData* meta = nullptr;
    if (status = natsMsg_GetMetaData(&meta, raw); status != NATS_OK) {
      return std::unexpected(NatsError("read " + stream + " metadata", status));
    }
    last = meta->Sequence.Stream;
    std::uint64_t pending = meta->NumPending;
    jsMsgMetaData_Destroy(meta);
    TODO_TRY_VOID(each(message));
    if (pending == 0) return last;
  }
}

}  // namespace platform::bus
