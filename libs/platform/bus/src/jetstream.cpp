#include "platform/bus/jetstream.hpp"

#include <fmt/format.h>
#include <nats/nats.h>

#include <optional>
#include <vector>

#include "platform/bus/nats_error.hpp"
#include "platform/comma_list.hpp"
#include "platform/log.hpp"

namespace platform::bus {
namespace {

constexpr std::int64_t kReconnectWaitMs = 250;
constexpr int kEnsureAttempts = 5;

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const { Destroy(p); }
};
using OptionsPtr = std::unique_ptr<natsOptions, Deleter<natsOptions, natsOptions_Destroy>>;
using MsgPtr = std::unique_ptr<natsMsg, Deleter<natsMsg, natsMsg_Destroy>>;
using PubAckPtr = std::unique_ptr<jsPubAck, Deleter<jsPubAck, jsPubAck_Destroy>>;
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, Deleter<jsStreamInfo, jsStreamInfo_Destroy>>;

void OnDisconnected(natsConnection* nc, void*) {
  // Closing our own connection also reports a disconnect; only an outage is worth a warning.
  if (!natsConnection_IsClosed(nc)) log::Warn("nats disconnected; reconnecting");
}
void OnReconnected(natsConnection*, void*) { log::Info("nats reconnected"); }

}  // namespace

Error NatsError(std::string_view what, int status, int code) {
  const auto s = static_cast<natsStatus>(status);
  // The library's last error text is per thread and more precise than the status text, but
  // it may name servers and accounts: logs only.
  const char* last = nats_GetLastError(nullptr);
  log::Error("nats error", {{"op", what},
                            {"status", natsStatus_GetText(s)},
                            {"js_code", code},
                            {"error", last ? last : ""}});
  return Error::Unavailable(fmt::format("event bus: {} failed: {}", what, natsStatus_GetText(s)),
                            1);
}

Result<std::unique_ptr<JetStream>> JetStream::Connect(const std::string& url,
                                                      const std::string& client_name) {
  natsOptions* raw_opts = nullptr;
  if (natsStatus s = natsOptions_Create(&raw_opts); s != NATS_OK) {
    return std::unexpected(NatsError("options", s));
  }
  OptionsPtr opts(raw_opts);
  // A cluster is a comma-separated list of its servers' URLs: the client connects to one and
  // moves to another when it goes away (and learns the rest from the cluster itself).
  std::vector<std::string> servers;
  for (auto server : CommaList(url)) servers.emplace_back(server);
  std::vector<const char*> server_ptrs;
  for (const auto& server : servers) server_ptrs.push_back(server.c_str());
  natsStatus s = servers.empty() ? NATS_INVALID_ARG
                                 : natsOptions_SetServers(opts.get(), server_ptrs.data(),
                                                          static_cast<int>(server_ptrs.size()));
  if (s == NATS_OK) s = natsOptions_SetName(opts.get(), client_name.c_str());
  // Outages are ridden out: publishes fail (and the outbox retries) until the server is back.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts.get(), -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts.get(), kReconnectWaitMs);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts.get(), OnDisconnected, nullptr);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts.get(), OnReconnected, nullptr);
  if (s != NATS_OK) return std::unexpected(NatsError("options", s));

  natsConnection* conn = nullptr;
  if (s = natsConnection_Connect(&conn, opts.get()); s != NATS_OK) {
    return std::unexpected(NatsError("connect", s));
  }
  auto failures = std::make_unique<std::atomic<std::uint64_t>>(0);
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.PublishAsync.ErrHandler = [](jsCtx*, jsPubAckErr*, void* closure) {
    static_cast<std::atomic<std::uint64_t>*>(closure)->fetch_add(1);
  };
  js_options.PublishAsync.ErrHandlerClosure = failures.get();
  jsCtx* js = nullptr;
  if (s = natsConnection_JetStream(&js, conn, &js_options); s != NATS_OK) {
    natsConnection_Destroy(conn);
    return std::unexpected(NatsError("jetstream context", s));
  }
  return std::unique_ptr<JetStream>(new JetStream(conn, js, std::move(failures)));
}

JetStream::~JetStream() {
  jsCtx_Destroy(js_);
  natsConnection_Destroy(conn_);
}

Result<void> JetStream::EnsureStream(const StreamSpec& spec) {
  std::vector<const char*> subjects;
  subjects.reserve(spec.subjects.size());
  for (const auto& subject : spec.subjects) subjects.push_back(subject.c_str());

  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Storage = js_FileStorage;
  cfg.Duplicates =
      std::chrono::duration_cast<std::chrono::nanoseconds>(spec.duplicate_window).count();
  cfg.Discard = js_DiscardOld;
  if (spec.max_age > std::chrono::seconds::zero()) {
    cfg.MaxAge = std::chrono::duration_cast<std::chrono::nanoseconds>(spec.max_age).count();
  }
  if (spec.max_bytes > 0) cfg.MaxBytes = spec.max_bytes;
  if (spec.max_msgs_per_subject > 0) cfg.MaxMsgsPerSubject = spec.max_msgs_per_subject;
  cfg.Replicas = spec.replicas;

  // Add is idempotent for an identical config; a different one answers "name in use", so we
  // update. A concurrent delete between the two makes update answer "not found": add again.
  for (int attempt = 0; attempt < kEnsureAttempts; ++attempt) {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_AddStream(&info, js_, &cfg, nullptr, &code);
    StreamInfoPtr added(info);
    if (s == NATS_OK) return {};
    if (code != JSStreamNameExistErr) return std::unexpected(NatsError("add stream", s, code));

    info = nullptr;
    code = static_cast<jsErrCode>(0);
    s = js_UpdateStream(&info, js_, &cfg, nullptr, &code);
    StreamInfoPtr updated(info);
    if (s == NATS_OK) {
      log::Info("stream updated", {{"stream", spec.name}});
      return {};
    }
    if (code != JSStreamNotFoundErr) return std::unexpected(NatsError("update stream", s, code));
  }
  return std::unexpected(NatsError("ensure stream", NATS_ERR));
}

Result<void> JetStream::DeleteStream(const std::string& name) {
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteStream(js_, name.c_str(), nullptr, &code);
  if (s == NATS_OK || code == JSStreamNotFoundErr) return {};
  return std::unexpected(NatsError("delete stream", s, code));
}

Result<StreamState> JetStream::State(const std::string& stream) {
  jsStreamInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&raw, js_, stream.c_str(), nullptr, &code);
  StreamInfoPtr info(raw);
  if (s != NATS_OK) return std::unexpected(NatsError("stream info " + stream, s, code));
  StreamState out;
  out.messages = info->State.Msgs;
  out.bytes = info->State.Bytes;
  out.first_sequence = info->State.FirstSeq;
  out.last_sequence = info->State.LastSeq;
  out.max_age = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::nanoseconds(info->Config->MaxAge));
  out.max_bytes = info->Config->MaxBytes;
  out.max_msgs_per_subject = info->Config->MaxMsgsPerSubject;
  return out;
}

Result<void> JetStream::PurgeSubject(const std::string& stream, const std::string& subject) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Stream.Purge.Subject = subject.c_str();
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_PurgeStream(js_, stream.c_str(), &options, &code);
  if (s != NATS_OK) return std::unexpected(NatsError("purge " + stream, s, code));
  return {};
}

Result<void> JetStream::DeleteConsumer(const std::string& stream, const std::string& durable) {
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteConsumer(js_, stream.c_str(), durable.c_str(), nullptr, &code);
  if (s == NATS_OK || code == JSConsumerNotFoundErr || code == JSStreamNotFoundErr) return {};
  return std::unexpected(NatsError("delete consumer", s, code));
}

Result<PublishAck> JetStream::Publish(std::string_view subject, std::string_view data,
                                      std::string_view msg_id) {
  natsMsg* raw = nullptr;
  std::string subj(subject);
  natsStatus s =
      natsMsg_Create(&raw, subj.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
  if (s != NATS_OK) return std::unexpected(NatsError("create message", s));
  MsgPtr msg(raw);
  std::string id(msg_id);
  if (s = natsMsgHeader_Set(msg.get(), "Nats-Msg-Id", id.c_str()); s != NATS_OK) {
    return std::unexpected(NatsError("set header", s));
  }
  jsPubAck* raw_ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&raw_ack, js_, msg.get(), nullptr, &code);
  PubAckPtr ack(raw_ack);
  if (s != NATS_OK) return std::unexpected(NatsError("publish", s, code));
  return PublishAck{ack->Sequence, ack->Duplicate};
}

Result<void> JetStream::PublishBatch(const std::vector<OutgoingMessage>& batch,
                                     std::chrono::milliseconds timeout) {
  std::uint64_t failures_before = async_failures_->load();
  std::optional<Error> error;
  for (const auto& out : batch) {
    natsMsg* raw = nullptr;
    natsStatus s = natsMsg_Create(&raw, out.subject.c_str(), nullptr, out.data.data(),
                                  static_cast<int>(out.data.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(raw, "Nats-Msg-Id", out.msg_id.c_str());
    // On success the library owns the message and clears `raw`.
    if (s == NATS_OK) s = js_PublishMsgAsync(js_, &raw, nullptr);
    if (raw != nullptr) natsMsg_Destroy(raw);
    if (s != NATS_OK) {
      error = NatsError("publish", s);
      break;
    }
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = timeout.count();
  natsStatus s = js_PublishAsyncComplete(js_, &options);
  if (s != NATS_OK) {
    natsMsgList pending;
    if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
    if (!error) error = NatsError("publish acknowledgements", s);
  }
  if (!error && async_failures_->load() != failures_before) {
    error = Error::Unavailable("event bus: a publish in the batch was refused");
  }
  if (error) return std::unexpected(*error);
  return {};
}

bool JetStream::Connected() const {
  return natsConnection_Status(conn_) == NATS_CONN_STATUS_CONNECTED;
}

}  // namespace platform::bus
