#pragma once
// Metrics: counters, gauges and histograms rendered in Prometheus text format.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace platform::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Hot metrics are written by every event-loop thread at once: each thread writes its own
// cache line (one of kShards), and reads add the shards up.
inline constexpr std::size_t kShards = 8;
std::size_t ThisThreadShard();

// Counter: a value that only goes up.
class Counter {
 public:
  void Inc(std::uint64_t n = 1) {
    shards_[ThisThreadShard()].value.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t Value() const {
    std::uint64_t total = 0;
    for (const auto& s : shards_) total += s.value.load(std::memory_order_relaxed);
    return total;
  }

 private:
  struct alignas(64) Shard {
    std::atomic<std::uint64_t> value{0};
  };
  std::array<Shard, kShards> shards_{};
};

// Gauge: a value that goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Histogram: observations counted into fixed buckets (seconds by default).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  std::vector<std::uint64_t> BucketCounts() const;  // cumulative, one per bound, then +Inf
  double Sum() const;
  const std::vector<double>& Bounds() const { return bounds_; }

 private:
  struct alignas(64) Shard {
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts;
    std::atomic<double> sum{0};
  };
  std::vector<double> bounds_;
  std::array<Shard, kShards> shards_;
};

// Registry: owns every metric of the process; references it hands out stay valid.
class Registry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const Labels& labels = {}, std::vector<double> bounds = {});
  // A gauge computed when /metrics is read (backlogs, pool sizes).
  void AddCallbackGauge(const std::string& name, const std::string& help,
                        std::function<double()> read);
  std::string Render() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::function<double()> callback;
  };
  Family& FamilyFor(const std::string& name, const std::string& help, const char* type);
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// The process-wide registry that /metrics serves.
Registry& DefaultRegistry();

}  // namespace platform::metrics
