#include "infra/auth/key_ring_file.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "platform/json.hpp"
#include "platform/time.hpp"

namespace identity::infra {
namespace {

constexpr std::int64_t kVersion = 1;

platform::Error Malformed(const std::vector<platform::FieldError>& errors) {
  std::string detail = std::string(kKeyRingFile) + ":";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    detail += (i == 0 ? " " : "; ") + errors[i].field + " " + errors[i].message;
  }
  return platform::Error::Internal(std::move(detail));
}

// The fields of `object`'s errors, as `prefix.field`.
void Collect(std::vector<platform::FieldError>& into, const platform::Result<void>& finished,
             const std::string& prefix) {
  if (finished) return;
  for (const auto& e : finished.error().errors) {
    into.push_back({prefix.empty() ? e.field : prefix + "." + e.field, e.message});
  }
}

std::optional<std::int64_t> UnixSecondsOf(std::string_view text) {
  auto parsed = platform::ParseTimestamp(text);
  if (!parsed) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(parsed->time_since_epoch()).count();
}

std::optional<domain::RingKey> ReadKey(platform::StrictObject& object, const std::string& prefix,
                                       std::vector<platform::FieldError>& errors) {
  domain::RingKey key;
  auto kid = object.RequiredString("kid");
  auto file = object.RequiredString("file");
  auto activate_at = object.RequiredString("activate_at");
  auto retire_at = object.OptionalString("retire_at");
  std::vector<platform::FieldError> own;
  if (activate_at && !UnixSecondsOf(*activate_at)) {
    own.push_back({prefix + ".activate_at", "must be an RFC 3339 time"});
  }
  if (retire_at && !UnixSecondsOf(*retire_at)) {
    own.push_back({prefix + ".retire_at", "must be an RFC 3339 time or null"});
  }
  Collect(errors, object.Finish(), prefix);
  errors.insert(errors.end(), own.begin(), own.end());
  if (!kid || !file || !activate_at || !own.empty()) return std::nullopt;
  key.kid = std::move(*kid);
  key.file = std::move(*file);
  key.activate_at = *UnixSecondsOf(*activate_at);
  if (retire_at) key.retire_at = UnixSecondsOf(*retire_at);
  return key;
}

}  // namespace

platform::Result<domain::KeyRing> ParseKeyRing(std::string_view text) {
  auto parsed = platform::StrictObject::Parse(text);
  if (!parsed) {
    return std::unexpected(
        platform::Error::Internal(std::string(kKeyRingFile) + ": " + parsed.error().detail));
  }
  auto& object = *parsed;
  std::vector<platform::FieldError> errors;
  const auto version = object.OptionalInt("version");
  auto keys = object.OptionalObjectArray("keys");
  if (!object.Has("version")) {
    object.AddError("version", "is required");
  } else if (version && *version != kVersion) {
    object.AddError("version", "must be 1 (this identity reads version 1)");
  }
  if (!object.Has("keys")) object.AddError("keys", "is required");
  Collect(errors, object.Finish(), "");
  // A null is no type error to StrictObject (it reads patches), but it is none of these.
  if (errors.empty() && !version) errors.push_back({"version", "must be 1"});
  if (errors.empty() && !keys) errors.push_back({"keys", "must be an array of keys"});
  domain::KeyRing ring;
  if (keys) {
    if (keys->empty()) errors.push_back({"keys", "must not be empty"});
    for (std::size_t i = 0; i < keys->size(); ++i) {
      auto key = ReadKey((*keys)[i], "keys[" + std::to_string(i) + "]", errors);
      if (key) ring.keys.push_back(std::move(*key));
    }
  }
  if (!errors.empty()) return std::unexpected(Malformed(errors));
  return ring;
}

std::string FormatKeyRing(const domain::KeyRing& ring) {
  std::string out = "{\n  \"version\": " + std::to_string(kVersion) + ",\n  \"keys\": [";
  for (std::size_t i = 0; i < ring.keys.size(); ++i) {
    const auto& key = ring.keys[i];
    platform::JsonWriter w;
    w.StartObject();
    w.Field("kid", key.kid);
    w.Field("file", key.file);
    w.Field("activate_at", RingTime(key.activate_at));
    w.Key("retire_at");
    if (key.retire_at) {
      w.String(RingTime(*key.retire_at));
    } else {
      w.Null();
    }
    w.EndObject();
    out += (i == 0 ? "\n    " : ",\n    ") + w.Take();
  }
  out += "\n  ]\n}\n";
  return out;
}

std::string RingTime(std::int64_t unix_seconds) {
  return platform::FormatTimestamp(
      platform::TimePoint(std::chrono::milliseconds(unix_seconds * 1000)));
}

}  // namespace identity::infra
