#include "platform/auth/revocation_set.hpp"

#include <mutex>

#include "platform/log.hpp"
#include "platform/uuid.hpp"

namespace platform::auth {
namespace {

std::int64_t Millis(TimePoint t) { return t.time_since_epoch().count(); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;  // IsUuid admitted only hex digits
}

}  // namespace

bool RevocationSet::ToKey(std::string_view uuid, Key& key) {
  if (!IsUuid(uuid)) return false;
  std::uint64_t halves[2] = {0, 0};
  int digit = 0;
  for (char c : uuid) {
    if (c == '-') continue;
    auto& half = halves[digit / 16];
    half = (half << 4) | static_cast<std::uint64_t>(HexValue(c));
    ++digit;
  }
  key = Key{halves[0], halves[1]};
  return true;
}

bool RevocationSet::Add(std::string_view session_id, TimePoint until, TimePoint now) {
  Key key;
  if (!ToKey(session_id, key)) return false;
  if (until <= now) return true;  // every token of that session has expired: nothing to keep
  std::unique_lock lock(mutex_);
  auto it = until_ms_.find(key);
  if (it != until_ms_.end()) {
    if (Millis(until) > it->second) it->second = Millis(until);
    return true;
  }
  if (until_ms_.size() >= max_entries_) {
    std::erase_if(until_ms_, [now](const auto& entry) { return entry.second <= Millis(now); });
  }
  if (until_ms_.size() >= max_entries_) {
    bool was_complete = incomplete_until_ms_ <= Millis(now);
    if (Millis(until) > incomplete_until_ms_) incomplete_until_ms_ = Millis(until);
    lock.unlock();
    Tell("");
    if (was_complete) {
      log::Error("revocation set full: authenticated requests are refused until it drains",
                 {{"max_entries", static_cast<std::int64_t>(max_entries_)}});
    }
    return true;
  }
  until_ms_.emplace(key, Millis(until));
  lock.unlock();
  Tell(session_id);
  return true;
}

void RevocationSet::SetListener(Listener listener) {
  std::lock_guard lock(listener_mutex_);
  listener_ = std::move(listener);
}

void RevocationSet::Tell(std::string_view session_id) const {
  std::lock_guard lock(listener_mutex_);
  if (listener_) listener_(session_id);
}

void RevocationSet::SetLive(bool live) {
  if (!live_.exchange(live) || live) return;
  Tell("");  // no longer following: whoever holds a session must ask again
}

bool RevocationSet::Contains(std::string_view session_id, TimePoint now) const {
  Key key;
  if (!ToKey(session_id, key)) return false;
  std::shared_lock lock(mutex_);
  auto it = until_ms_.find(key);
  return it != until_ms_.end() && it->second > Millis(now);
}

std::size_t RevocationSet::DropExpired(TimePoint now) {
  std::unique_lock lock(mutex_);
  return std::erase_if(until_ms_, [now](const auto& entry) { return entry.second <= Millis(now); });
}

std::size_t RevocationSet::Size() const {
  std::shared_lock lock(mutex_);
  return until_ms_.size();
}

bool RevocationSet::Authoritative(TimePoint now) const {
  if (!caught_up_) return false;
  std::shared_lock lock(mutex_);
  return incomplete_until_ms_ <= Millis(now);
}

}  // namespace platform::auth
