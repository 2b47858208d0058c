#include "platform/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <memory>

#include "platform/json.hpp"
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

std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l =
        std::make_shared<spdlog::logger>("todo", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    l->set_pattern("%v");
    l->flush_on(spdlog::level::info);
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

}  // namespace

void Init(std::string_view service, Level min_level) {
  ServiceName() = std::string(service);
  MinLevel() = min_level;
}

bool IsSecretKey(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::string_view, 6> kSecretWords = {
      "password", "token", "secret", "authorization", "cookie", "private"};
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
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
  Logger()->info(Render(level, message, fields));
}

}  // namespace platform::log
