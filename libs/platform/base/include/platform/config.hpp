#pragma once
// Config: typed settings read from TODO_* environment variables, with defaults and --help.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platform {

// Config: each getter reads one variable, records it for --help, and records a bad value;
// Finish() then prints help or fails start-up naming every bad variable at once.
class Config {
 public:
  using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

  Config(std::string program, std::string summary, EnvLookup env = nullptr);

  std::string String(std::string_view name, std::string fallback, std::string_view help);
  std::int64_t Integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max, std::string_view help);
  int Port(std::string_view name, int fallback, std::string_view help);
  bool Boolean(std::string_view name, bool fallback, std::string_view help);
  // Records a bad value found by the caller's own parsing (reported by Finish like the rest).
  void Reject(std::string_view name, std::string_view why);

  // The text --help prints.
  std::string Help() const;
  // Messages naming each variable that had a bad value.
  const std::vector<std::string>& Errors() const { return errors_; }
  // Handles --help (prints, exits 0); throws std::runtime_error listing bad values.
  void Finish(int argc, char** argv) const;

 private:
  void Describe(std::string_view name, std::string_view fallback, std::string_view help);
  std::optional<std::string> Lookup(std::string_view name) const;

  std::string program_;
  std::string summary_;
  EnvLookup env_;
  std::vector<std::string> help_lines_;
  std::vector<std::string> errors_;
};

}  // namespace platform
