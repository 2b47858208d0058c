#include "platform/log.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "platform/check.hpp"
#include "platform/json.hpp"
#include "platform/metrics.hpp"
#include "platform/time.hpp"

namespace platform::log {
namespace {

std::string& ServiceName() {
  static std::string name = "todo";
  return name;
}

std::atomic<Level>& MinLevel() {
  static std::atomic<Level> level{Level::kInfo};
  return level;
}

// Lines go to standard output in blocks, from a buffer per thread: a write(2) per line
// (spdlog's stdout sink flushes every message) and one lock shared by every event-loop thread
// cost a quarter of a cached GET's throughput. Warnings and errors are written at once, the
// rest within kFlushPeriod and at exit; lines of different threads may therefore appear up to
// that long out of order (each carries its own timestamp).
class ThreadBufferedStdoutSink final
    : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  ~ThreadBufferedStdoutSink() override { flush_(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    // The pattern is the message itself ("%v"): no formatter pass is needed.
    Buffer& buffer = Mine();
    std::lock_guard lock(buffer.mutex);
    buffer.text.append(msg.payload.data(), msg.payload.size());
    buffer.text.push_back('\n');
    if (buffer.text.size() >= kFlushBytes) WriteOut(buffer.text);
  }

  void flush_() override {
    std::lock_guard registry(Registry().mutex);
    for (Buffer* buffer : Registry().buffers) {
      std::lock_guard lock(buffer->mutex);
      WriteOut(buffer->text);
    }
  }

 private:
  static constexpr std::size_t kFlushBytes = 64 * 1024;

  struct Buffer {
    std::mutex mutex;  // taken by its thread and, rarely, by a flush from another
    std::string text;
  };
  struct BufferRegistry {
    std::mutex mutex;
    std::vector<Buffer*> buffers;
  };
  static BufferRegistry& Registry() {
    static auto* registry = new BufferRegistry();  // outlives every thread's buffer
    return *registry;
  }
  // A thread's buffer is written out and unregistered when the thread ends.
  struct ThreadSlot {
    Buffer buffer;
    ThreadSlot() {
      std::lock_guard lock(Registry().mutex);
      Registry().buffers.push_back(&buffer);
    }
    ~ThreadSlot() {
      std::lock_guard lock(Registry().mutex);
      std::erase(Registry().buffers, &buffer);
      std::lock_guard mine(buffer.mutex);
      WriteOut(buffer.text);
    }
  };
  static Buffer& Mine() {
    thread_local ThreadSlot slot;
    return slot.buffer;
  }

  static void WriteOut(std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to log to: drop rather than block the service
      done += static_cast<std::size_t>(n);
    }
    text.clear();
  }
};

constexpr std::chrono::seconds kFlushPeriod{1};  // spdlog 1.10 counts whole seconds

std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("todo", std::make_shared<ThreadBufferedStdoutSink>());
    l->set_pattern("%v");
    l->flush_on(spdlog::level::off);
    spdlog::register_logger(l);
    spdlog::flush_every(kFlushPeriod);
    return l;
  }();
  return logger;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

metrics::Counter& InvariantFailures() {
  static auto& counter = metrics::DefaultRegistry().GetCounter(
      "invariant_failures_total", "Broken invariants reported (each failed its request)");
  return counter;
}

}  // namespace

void Init(std::string_view service, Level min_level) {
  ServiceName() = std::string(service);
  MinLevel() = min_level;
  InvariantFailures();  // /metrics shows the counter at 0 from the start
  SetInvariantReporter(&ReportBrokenInvariant);
}

void ReportBrokenInvariant(std::string_view what, const std::source_location& where) {
  InvariantFailures().Inc();
  Error("broken invariant", {{"invariant", what},
                             {"file", where.file_name()},
                             {"line", static_cast<std::int64_t>(where.line())}});
}

bool IsSecretKey(std::string_view key) {
  static constexpr std::array<std::string_view, 6> kSecretWords = {
      "password", "token", "secret", "authorization", "cookie", "private"};
  // Case-insensitive substring search without a lowered copy: it runs for every field of
  // every log line.
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  return std::any_of(kSecretWords.begin(), kSecretWords.end(), [&](std::string_view word) {
    if (key.size() < word.size()) return false;
    for (std::size_t at = 0; at + word.size() <= key.size(); ++at) {
      std::size_t i = 0;
      while (i < word.size() && lower(key[at + i]) == word[i]) ++i;
      if (i == word.size()) return true;
    }
    return false;
  });
}

std::string Render(Level level, std::string_view message, std::initializer_list<LogField> fields) {
  JsonWriter w;
  w.StartObject();
  w.Field("ts", FormatTimestamp(std::chrono::system_clock::now()));
  w.Field("level", LevelName(level));
  w.Field("service", std::string_view(ServiceName()));
  w.Field("msg", message);
  for (const auto& field : fields) {
    w.Key(field.key);
    if (IsSecretKey(field.key)) {
      w.String("[redacted]");
      continue;
    }
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string_view>) {
            w.String(v);
          } else if constexpr (std::is_same_v<V, std::int64_t>) {
            w.Int(v);
          } else if constexpr (std::is_same_v<V, double>) {
            w.Double(v);
          } else {
            w.Bool(v);
          }
        },
        field.value);
  }
  w.EndObject();
  return w.Take();
}

void Write(Level level, std::string_view message, std::initializer_list<LogField> fields) {
  if (level < MinLevel().load(std::memory_order_relaxed)) return;
  auto& logger = Logger();
  logger->info(Render(level, message, fields));
  if (level >= Level::kWarn) logger->flush();
}

}  // namespace platform::log
