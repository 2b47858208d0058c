#include "domain/key_ring.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "platform/time.hpp"

namespace identity::domain {
namespace {

constexpr std::size_t kMaxKeyIdBytes = 64;
constexpr std::size_t kMaxFileNameBytes = 128;

bool IsAlphanumeric(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool IsActive(const RingKey& key, std::int64_t now) {
  return key.activate_at <= now && IsPublished(key, now);
}

std::string TimeText(std::int64_t unix_seconds) {
  return platform::FormatTimestamp(
      platform::TimePoint(std::chrono::milliseconds(unix_seconds * 1000)));
}

platform::Error Invalid(std::string detail) {
  return platform::Error::Internal("key ring: " + std::move(detail));
}

}  // namespace

bool IsPublished(const RingKey& key, std::int64_t now) {
  return !key.retire_at || now < *key.retire_at;
}

const RingKey* SigningKeyAt(const KeyRing& ring, std::int64_t now) {
  const RingKey* best = nullptr;
  for (const auto& key : ring.keys) {
    if (!IsActive(key, now)) continue;
    if (best == nullptr || key.activate_at > best->activate_at ||
        (key.activate_at == best->activate_at && key.kid > best->kid)) {
      best = &key;
    }
  }
  return best;
}

std::vector<RingKey> PublishedAt(const KeyRing& ring, std::int64_t now) {
  std::vector<RingKey> out;
  for (const auto& key : ring.keys) {
    if (IsPublished(key, now)) out.push_back(key);
  }
  return out;
}

std::vector<RingKey> RetiredAt(const KeyRing& ring, std::int64_t now) {
  std::vector<RingKey> out;
  for (const auto& key : ring.keys) {
    if (!IsPublished(key, now)) out.push_back(key);
  }
  return out;
}

bool IsValidKeyId(std::string_view kid) {
  if (kid.empty() || kid.size() > kMaxKeyIdBytes) return false;
  return std::all_of(kid.begin(), kid.end(),
                     [](char c) { return IsAlphanumeric(c) || c == '-' || c == '_'; });
}

bool IsValidKeyFileName(std::string_view file) {
  if (file.empty() || file.size() > kMaxFileNameBytes || file.front() == '.') return false;
  return std::all_of(file.begin(), file.end(),
                     [](char c) { return IsAlphanumeric(c) || c == '-' || c == '_' || c == '.'; });
}

platform::Result<void> ValidateRing(const KeyRing& ring, std::int64_t now) {
  if (ring.keys.empty()) return std::unexpected(Invalid("has no keys"));
  std::set<std::string_view> kids;
  std::set<std::string_view> files;
  for (const auto& key : ring.keys) {
    if (!IsValidKeyId(key.kid)) {
      return std::unexpected(Invalid("kid \"" + key.kid + "\" is not 1-64 base64url characters"));
    }
    if (!kids.insert(key.kid).second) {
      return std::unexpected(Invalid("kid " + key.kid + " appears more than once"));
    }
    if (!IsValidKeyFileName(key.file)) {
      return std::unexpected(Invalid("key " + key.kid + ": file \"" + key.file +
                                     "\" is not a plain file name in the key directory"));
    }
    if (!files.insert(key.file).second) {
      return std::unexpected(Invalid("file " + key.file + " is named by more than one key"));
    }
    if (key.retire_at && *key.retire_at <= key.activate_at) {
      return std::unexpected(Invalid("key " + key.kid + " retires (" + TimeText(*key.retire_at) +
                                     ") before it signs (" + TimeText(key.activate_at) + ")"));
    }
  }
  // Some key must sign at every time from now on: follow the signing keys forward until one
  // never retires. A key active at `at` retires after it, so each step moves to a later
  // retire_at and this ends (the check below keeps it so should that ever change).
  std::int64_t at = now;
  for (;;) {
    std::optional<std::int64_t> covered_until;
    bool for_good = false;
    for (const auto& key : ring.keys) {
      if (!IsActive(key, at)) continue;
      if (!key.retire_at) {
        for_good = true;
        break;
      }
      covered_until = std::max(covered_until.value_or(*key.retire_at), *key.retire_at);
    }
    if (for_good) return {};
    if (!covered_until || *covered_until <= at) {
      return std::unexpected(Invalid("no key signs at " + TimeText(at)));
    }
    at = *covered_until;
  }
}

KeyRing LegacyRing(std::string kid, std::string file) {
  return KeyRing{{RingKey{std::move(kid), std::move(file), 0, std::nullopt}}};
}

KeyRing Rotate(const KeyRing& ring, RingKey next, std::int64_t now, const RotationTimes& times) {
  KeyRing out;
  const bool first = PublishedAt(ring, now).empty();
  next.activate_at = first ? now : now + times.activation_delay;
  next.retire_at.reset();
  const std::int64_t retire_at = next.activate_at + times.access_ttl + kRetireMarginSeconds;
  for (const auto& key : ring.keys) {
    if (!IsPublished(key, now)) continue;
    // A key of an earlier rotation that would sign only after `next` never signs: it goes.
    if (key.activate_at >= next.activate_at) continue;
    RingKey kept = key;
    if (!kept.retire_at) kept.retire_at = retire_at;
    out.keys.push_back(std::move(kept));
  }
  out.keys.push_back(std::move(next));
  return out;
}

KeyRing RotateNow(RingKey next, std::int64_t now) {
  next.activate_at = now;
  next.retire_at.reset();
  return KeyRing{{std::move(next)}};
}

}  // namespace identity::domain
