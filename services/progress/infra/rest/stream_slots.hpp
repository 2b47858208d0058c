#pragma once
// StreamSlots: how many live streams each user has open in this process, capped
// (TODO_QUOTA_STREAMS).

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace progress::infra {

// StreamSlots: Acquire hands out a Slot while the user has fewer than `per_user` open; the
// slot is given back when it is destroyed (the stream ended). Only users with an open stream
// are kept, so memory follows the streams themselves.
class StreamSlots {
 public:
  // Slot: one open stream; releasing it frees the user's place.
  class Slot {
   public:
    Slot(Slot&& other) noexcept : owner_(other.owner_), user_(std::move(other.user_)) {
      other.owner_ = nullptr;
    }
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot() {
      if (owner_) owner_->Release(user_);
    }

   private:
    friend class StreamSlots;
    Slot(StreamSlots* owner, std::string user) : owner_(owner), user_(std::move(user)) {}
    StreamSlots* owner_;
    std::string user_;
  };

  explicit StreamSlots(std::size_t per_user) : per_user_(per_user) {}
  StreamSlots(const StreamSlots&) = delete;
  StreamSlots& operator=(const StreamSlots&) = delete;

  // nullopt when the user already has `per_user` streams open.
  std::optional<Slot> Acquire(const std::string& user_id);
  std::size_t Open(const std::string& user_id);
  std::size_t PerUser() const { return per_user_; }

 private:
  void Release(const std::string& user_id);

  std::size_t per_user_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;
};

}  // namespace progress::infra
