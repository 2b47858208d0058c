#include "platform/redis/client.hpp"

#include "platform/log.hpp"

namespace platform::redis {
namespace {

constexpr std::chrono::milliseconds kBackoff{500};

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

}  // namespace

Client::Client(std::string host, int port, int connections, std::chrono::milliseconds timeout)
    : host_(std::move(host)),
      port_(port),
      timeout_(timeout),
      workers_(static_cast<std::size_t>(connections)) {}

Client::~Client() { workers_.join(); }

Result<Client::ContextPtr> Client::Connect() {
  timeval tv{static_cast<time_t>(timeout_.count() / 1000),
             static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  ContextPtr context(redisConnectWithTimeout(host_.c_str(), port_, tv));
  if (!context || context->err) {
    return std::unexpected(Error::Unavailable("cache unavailable"));
  }
  redisSetTimeout(context.get(), tv);
  return context;
}

Client::ContextPtr Client::Take() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return nullptr;
  auto context = std::move(idle_.back());
  idle_.pop_back();
  return context;
}

void Client::Give(ContextPtr context) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(context));
}

Result<std::vector<Reply>> Client::ExecuteBlocking(const std::vector<Command>& commands) {
  if (!healthy_.load() && NowMs() < retry_after_ms_.load()) {
    return std::unexpected(Error::Unavailable("cache unavailable"));
  }
  auto fail = [this](std::string_view why) -> Result<std::vector<Reply>> {
    if (healthy_.exchange(false)) log::Warn("redis unavailable", {{"error", why}});
    retry_after_ms_ = NowMs() + kBackoff.count();
    return std::unexpected(Error::Unavailable("cache unavailable"));
  };
  ContextPtr context = Take();
  if (!context) {
    auto connected = Connect();
    if (!connected) return fail("connect failed");
    context = std::move(*connected);
  }
  for (const auto& command : commands) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& arg : command) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      return fail("append failed");
    }
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  bool command_error = false;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context.get(), &raw) != REDIS_OK || raw == nullptr) {
      return fail(context->errstr);
    }
    auto* reply = static_cast<redisReply*>(raw);
    if (reply->type == REDIS_REPLY_ERROR) {
      log::Error("redis command error", {{"error", std::string_view(reply->str, reply->len)}});
      command_error = true;
    }
    replies.push_back(Convert(reply));
    freeReplyObject(reply);
  }
  Give(std::move(context));
  if (!healthy_.exchange(true)) log::Info("redis reachable again");
  if (command_error) return std::unexpected(Error::Internal());
  return replies;
}

boost::asio::awaitable<Result<Reply>> Client::Execute1(Command command) {
  std::vector<Command> commands;
  commands.push_back(std::move(command));
  auto replies = co_await Execute(std::move(commands));
  if (!replies) co_return std::unexpected(replies.error());
  co_return std::move(replies->front());
}

boost::asio::awaitable<bool> Client::Ping() {
  // Readiness must notice a recovered Redis, so PING bypasses the fail-fast back-off.
  retry_after_ms_ = 0;
  Command ping{"PING"};
  auto reply = co_await Execute1(std::move(ping));
  co_return reply.has_value();
}

}  // namespace platform::redis
