#include "infra/redis/in_process_task_cache.hpp"

#include <functional>

namespace tasks::infra {

InProcessTaskCache::Shard& InProcessTaskCache::ShardOf(const std::string& key) const {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::optional<domain::Task> InProcessTaskCache::Find(const std::string& key,
                                                     Clock::time_point now) const {
  auto& shard = ShardOf(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end() || it->second.until <= now) return std::nullopt;
  return it->second.task;
}

void InProcessTaskCache::Store(const std::string& key, const domain::Task& task,
                               Clock::time_point until) {
  auto& shard = ShardOf(key);
  std::lock_guard lock(shard.mutex);
  // A full shard starts over: simpler than LRU bookkeeping on every hit, and a miss costs only
  // the Redis round trip the copy exists to save.
  if (shard.entries.size() >= per_shard_ && !shard.entries.contains(key)) shard.entries.clear();
  shard.entries.insert_or_assign(key, Entry{task, until});
}

void InProcessTaskCache::Erase(const std::string& key) {
  auto& shard = ShardOf(key);
  std::lock_guard lock(shard.mutex);
  shard.entries.erase(key);
}

void InProcessTaskCache::Erase(const std::vector<std::string>& keys) {
  for (const auto& key : keys) Erase(key);
}

void InProcessTaskCache::Clear() {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    shard.entries.clear();
  }
}

std::size_t InProcessTaskCache::Size() const {
  std::size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace tasks::infra
