#include "infra/rest/stream_slots.hpp"

namespace progress::infra {

std::optional<StreamSlots::Slot> StreamSlots::Acquire(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  auto& open = open_[user_id];
  if (open >= per_user_) {
    if (open == 0) open_.erase(user_id);
    return std::nullopt;
  }
  ++open;
  return Slot(this, user_id);
}

std::size_t StreamSlots::Open(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  auto found = open_.find(user_id);
  return found == open_.end() ? 0 : found->second;
}

void StreamSlots::Release(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  auto found = open_.find(user_id);
  if (found == open_.end()) return;
  if (--found->second == 0) open_.erase(found);
}

}  // namespace progress::infra
