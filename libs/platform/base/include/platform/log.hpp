#pragma once
// Structured JSON logs on spdlog: one object per line, secrets redacted by field name.

#include <cstdint>
#include <initializer_list>
#include <source_location>
#include <string>
#include <string_view>
#include <variant>

namespace platform::log {

// LogField: one key/value of a log line.
struct LogField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, double, bool> value;

  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, std::int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
};

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the service name stamped on every line and the minimum level, and makes broken
// invariants (platform/check.hpp) log lines (ReportBrokenInvariant).
void Init(std::string_view service, Level min_level = Level::kInfo);
// What a broken invariant leaves in a release build: an error line naming the condition, the
// file and the line, and one more in the invariant_failures_total counter of /metrics.
void ReportBrokenInvariant(std::string_view what, const std::source_location& where);
// True for field names whose values must never reach a log (passwords, tokens, keys).
bool IsSecretKey(std::string_view key);
// Renders one log line (without the trailing newline); exposed for tests.
std::string Render(Level level, std::string_view message, std::initializer_list<LogField> fields);

void Write(Level level, std::string_view message, std::initializer_list<LogField> fields);
inline void Debug(std::string_view m, std::initializer_list<LogField> f = {}) {
  Write(Level::kDebug, m, f);
}
inline void Info(std::string_view m, std::initializer_list<LogField> f = {}) {
  Write(Level::kInfo, m, f);
}
inline void Warn(std::string_view m, std::initializer_list<LogField> f = {}) {
  Write(Level::kWarn, m, f);
}
inline void Error(std::string_view m, std::initializer_list<LogField> f = {}) {
  Write(Level::kError, m, f);
}

}  // namespace platform::log
