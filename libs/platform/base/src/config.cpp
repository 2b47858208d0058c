#include "platform/config.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

namespace platform {

Config::Config(std::string program, std::string summary, EnvLookup env)
    : program_(std::move(program)), summary_(std::move(summary)), env_(std::move(env)) {
  if (!env_) {
    env_ = [](std::string_view name) -> std::optional<std::string> {
      const char* value = std::getenv(std::string(name).c_str());
      if (value == nullptr) return std::nullopt;
      return std::string(value);
    };
  }
}

std::optional<std::string> Config::Lookup(std::string_view name) const {
  auto value = env_(name);
  if (value && value->empty()) return std::nullopt;  // VAR= means "use the default"
  return value;
}

void Config::Describe(std::string_view name, std::string_view fallback, std::string_view help) {
  help_lines_.push_back(
      fmt::format("  {:<34} {} (default: {})", name, help, fallback.empty() ? "none" : fallback));
}

std::string Config::String(std::string_view name, std::string fallback, std::string_view help) {
  Describe(name, fallback, help);
  return Lookup(name).value_or(std::move(fallback));
}

std::int64_t Config::Integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                             std::int64_t max, std::string_view help) {
  Describe(name, std::to_string(fallback), help);
  auto raw = Lookup(name);
  if (!raw) return fallback;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
  if (ec != std::errc() || end != raw->data() + raw->size()) {
    errors_.push_back(fmt::format("{}: '{}' is not an integer", name, *raw));
    return fallback;
  }
  if (value < min || value > max) {
    errors_.push_back(fmt::format("{}: {} is outside {}..{}", name, value, min, max));
    return fallback;
  }
  return value;
}

int Config::Port(std::string_view name, int fallback, std::string_view help) {
  return static_cast<int>(Integer(name, fallback, 1, 65535, help));
}

bool Config::Boolean(std::string_view name, bool fallback, std::string_view help) {
  Describe(name, fallback ? "true" : "false", help);
  auto raw = Lookup(name);
  if (!raw) return fallback;
  if (*raw == "1" || *raw == "true" || *raw == "yes" || *raw == "on") return true;
  if (*raw == "0" || *raw == "false" || *raw == "no" || *raw == "off") return false;
  errors_.push_back(fmt::format("{}: '{}' is not a boolean (true/false)", name, *raw));
  return fallback;
}

std::string Config::Help() const {
  std::string text =
      fmt::format("{} - {}\n\nConfiguration (environment variables):\n", program_, summary_);
  for (const auto& line : help_lines_) text += line + "\n";
  return text;
}

void Config::Finish(int argc, char** argv) const {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if (arg == "--help" || arg == "-h") {
      std::cout << Help();
      std::exit(0);
    }
    throw std::runtime_error(fmt::format("unknown argument '{}' (try --help)", arg));
  }
  if (!errors_.empty()) {
    std::string message = "invalid configuration:";
    for (const auto& e : errors_) message += "\n  " + e;
    throw std::runtime_error(message);
  }
}

void Config::Reject(std::string_view name, std::string_view why) {
  errors_.push_back(fmt::format("{}: {}", name, why));
}

}  // namespace platform
