#pragma once
// InProcessTaskCache: the tasks this process read from Redis most recently, kept coherent by
// Redis's invalidation announcements (platform::redis::InvalidationListener), so that a hot
// GET needs no round trip. Entries are keyed like Redis's (task:<owner>:<id>) and never
// outlive the Redis entry they copy (the same deadline: cache lifetime or expires_at).

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/task.hpp"

namespace tasks::infra {

class InProcessTaskCache {
 public:
  using Clock = std::chrono::system_clock;

  explicit InProcessTaskCache(std::size_t capacity = 65'536) : per_shard_(capacity / kShards + 1) {}

  // The copy of `key`, unless there is none or its deadline has passed.
  std::optional<domain::Task> Find(const std::string& key, Clock::time_point now) const;
  void Store(const std::string& key, const domain::Task& task, Clock::time_point until);
  void Erase(const std::string& key);
  void Erase(const std::vector<std::string>& keys);
  void Clear();
  std::size_t Size() const;

 private:
  static constexpr std::size_t kShards = 16;
  struct Entry {
    domain::Task task;
    Clock::time_point until;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };
  Shard& ShardOf(const std::string& key) const;

  std::size_t per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace tasks::infra
