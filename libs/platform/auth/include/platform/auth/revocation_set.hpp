#pragma once
// RevocationSet: the sessions this process knows to be revoked, held in memory from
// todo.session.revoked events, so that no cache loss or outage revives a token.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>

#include "platform/time.hpp"

namespace platform::auth {

// RevocationSet: thread-safe. An entry lives until its `until` (when every access token of the
// session has expired anyway), so the set holds only the revocations of the last access-token
// lifetime. Its size is bounded: a revocation that does not fit is not silently dropped, the
// set instead stops being authoritative (Authoritative() is false) until that revocation's
// `until` has passed, and callers then refuse rather than accept tokens.
class RevocationSet {
 public:
  // About 60 bytes per entry (measured: 1,000,000 entries took 59.6 MB): the default bounds the
  // set at about 60 MB.
  static constexpr std::size_t kDefaultMaxEntries = 1'000'000;

  explicit RevocationSet(std::size_t max_entries = kDefaultMaxEntries)
      : max_entries_(max_entries) {}

  // Records a revoked session (UUID text) until `until`; a later `until` extends the entry. An
  // entry already past is not kept; a session id that is not a UUID is ignored (false).
  bool Add(std::string_view session_id, TimePoint until, TimePoint now);
  bool Contains(std::string_view session_id, TimePoint now) const;
  // Drops the entries whose `until` has passed; returns how many.
  std::size_t DropExpired(TimePoint now);
  std::size_t Size() const;

  // The replay of the stream has reached the events that existed when it started.
  void MarkCaughtUp() { caught_up_ = true; }
  bool CaughtUp() const { return caught_up_; }
  // The feed is connected and following the stream now (new revocations arrive).
  void SetLive(bool live);
  bool Live() const { return live_; }
  // Caught up and holding every revocation it was given: "not in the set" means "not revoked"
  // (as of the last event received).
  bool Authoritative(TimePoint now) const;

  // Called, outside the set's lock, with the session id of each revocation added, and with an
  // empty id when the set stops being live or complete (then every holder of a session must
  // check again). Long-lived holders of a token (live streams) listen instead of polling.
  using Listener = std::function<void(std::string_view session_id)>;
  void SetListener(Listener listener);

 private:
  void Tell(std::string_view session_id) const;

  struct Key {
    std::uint64_t high = 0, low = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return static_cast<std::size_t>(k.high ^ (k.low * 0x9e3779b97f4a7c15ULL));
    }
  };
  static bool ToKey(std::string_view uuid, Key& key);

  std::size_t max_entries_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<Key, std::int64_t, KeyHash> until_ms_;
  // While a revocation that did not fit could still matter, the set is not authoritative.
  std::int64_t incomplete_until_ms_ = 0;
  std::atomic<bool> caught_up_{false};
  std::atomic<bool> live_{false};
  mutable std::mutex listener_mutex_;
  Listener listener_;
};

}  // namespace platform::auth
