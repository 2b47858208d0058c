#include "platform/bus/consumer.hpp"

#include <nats/nats.h>

#include <utility>

#include "platform/bus/nats_error.hpp"

namespace platform::bus {
namespace {

Result<void> Check(std::string_view what, natsStatus s) {
  if (s != NATS_OK) return std::unexpected(NatsError(what, s));
  return {};
}

}  // namespace

Message::~Message() { natsMsg_Destroy(msg_); }

Message::Message(Message&& other) noexcept : msg_(std::exchange(other.msg_, nullptr)) {}

Message& Message::operator=(Message&& other) noexcept {
  if (this != &other) {
    natsMsg_Destroy(msg_);
    msg_ = std::exchange(other.msg_, nullptr);
  }
  return *this;
}

std::string_view Message::Subject() const { return natsMsg_GetSubject(msg_); }

std::string_view Message::Data() const {
  return {natsMsg_GetData(msg_), static_cast<std::size_t>(natsMsg_GetDataLength(msg_))};
}

std::string Message::MsgId() const {
  const char* value = nullptr;
  if (natsMsgHeader_Get(msg_, "Nats-Msg-Id", &value) != NATS_OK || value == nullptr) return {};
  return value;
}

std::uint64_t Message::NumDelivered() const {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg_) != NATS_OK) return 0;
  std::uint64_t delivered = meta->NumDelivered;
  jsMsgMetaData_Destroy(meta);
  return delivered;
}

std::uint64_t Message::StreamSequence() const {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg_) != NATS_OK) return 0;
  std::uint64_t seq = meta->Sequence.Stream;
  jsMsgMetaData_Destroy(meta);
  return seq;
}

Result<void> Message::Ack() { return Check("ack", natsMsg_Ack(msg_, nullptr)); }

Result<void> Message::Nak(std::chrono::milliseconds delay) {
  return Check("nak", natsMsg_NakWithDelay(msg_, delay.count(), nullptr));
}

Result<void> Message::Term() { return Check("term", natsMsg_Term(msg_, nullptr)); }

Result<std::unique_ptr<PullConsumer>> PullConsumer::Create(JetStream& js, std::string stream,
                                                           std::string durable,
                                                           std::string filter_subject,
                                                           int max_deliver,
                                                           std::chrono::milliseconds ack_wait) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Config.Durable = durable.c_str();
  so.Config.DeliverPolicy = js_DeliverAll;
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.MaxDeliver = max_deliver;
  so.Config.AckWait = std::chrono::duration_cast<std::chrono::nanoseconds>(ack_wait).count();
  so.Config.FilterSubject = filter_subject.c_str();

  natsSubscription* sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&sub, js.RawContext(), filter_subject.c_str(), durable.c_str(),
                                  nullptr, &so, &code);
  if (s != NATS_OK) return std::unexpected(NatsError("pull subscribe " + durable, s, code));
  return std::unique_ptr<PullConsumer>(
      new PullConsumer(sub, std::move(durable), js.RawContext(), std::move(stream)));
}

PullConsumer::~PullConsumer() {
  // Not natsSubscription_Unsubscribe: for a durable that js_PullSubscribe created, it deletes
  // the durable and with it the consumer's position in the stream.
  natsSubscription_Destroy(sub_);
}

Result<std::vector<Message>> PullConsumer::Fetch(int batch, std::chrono::milliseconds timeout) {
  natsMsgList list{nullptr, 0};
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_Fetch(&list, sub_, batch, timeout.count(), &code);
  std::vector<Message> out;
  if (s == NATS_TIMEOUT) {
    natsMsgList_Destroy(&list);
    return out;
  }
  if (s != NATS_OK) {
    natsMsgList_Destroy(&list);
    return std::unexpected(NatsError("fetch " + durable_, s, code));
  }
  out.reserve(static_cast<std::size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    out.emplace_back(list.Msgs[i]);
    list.Msgs[i] = nullptr;  // ownership moved to the Message
  }
  natsMsgList_Destroy(&list);
  return out;
}

Result<std::uint64_t> PullConsumer::Pending() {
  jsConsumerInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&info, js_, stream_.c_str(), durable_.c_str(), nullptr, &code);
  if (s != NATS_OK) return std::unexpected(NatsError("consumer info " + durable_, s, code));
  std::uint64_t pending = info->NumPending + static_cast<std::uint64_t>(info->NumAckPending);
  jsConsumerInfo_Destroy(info);
  return pending;
}

}  // namespace platform::bus
