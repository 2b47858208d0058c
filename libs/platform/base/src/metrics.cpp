#include "platform/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace platform::metrics {
namespace {

std::string LabelText(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += "\"";
  }
  return out + "}";
}

std::string WithLabel(const std::string& label_text, const std::string& extra) {
  if (label_text.empty()) return "{" + extra + "}";
  return label_text.substr(0, label_text.size() - 1) + "," + extra + "}";
}

const std::vector<double>& DefaultBounds() {
  static const std::vector<double> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBounds;
}

}  // namespace

std::size_t ThisThreadShard() {
  static std::atomic<std::size_t> next{0};
  thread_local std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  for (auto& shard : shards_) {
    shard.counts = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  }
}

void Histogram::Observe(double value) {
  auto& shard = shards_[ThisThreadShard()];
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  shard.counts[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1,
                                                                         std::memory_order_relaxed);
  double current = shard.sum.load(std::memory_order_relaxed);
  while (!shard.sum.compare_exchange_weak(current, current + value, std::memory_order_relaxed)) {
  }
}

std::vector<std::uint64_t> Histogram::BucketCounts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    for (const auto& shard : shards_) running += shard.counts[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::Sum() const {
  double total = 0;
  for (const auto& shard : shards_) total += shard.sum.load(std::memory_order_relaxed);
  return total;
}

Registry::Family& Registry::FamilyFor(const std::string& name, const std::string& help,
                                      const char* type) {
  auto& family = families_[name];
  if (family.type.empty()) {
    family.help = help;
    family.type = type;
  }
  return family;
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = FamilyFor(name, help, "counter").counters[LabelText(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = FamilyFor(name, help, "gauge").gauges[LabelText(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const Labels& labels, std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  auto& slot = FamilyFor(name, help, "histogram").histograms[LabelText(labels)];
  if (!slot) slot = std::make_unique<Histogram>(bounds.empty() ? DefaultBounds() : bounds);
  return *slot;
}

void Registry::AddCallbackGauge(const std::string& name, const std::string& help,
                                std::function<double()> read) {
  std::lock_guard lock(mutex_);
  FamilyFor(name, help, "gauge").callback = std::move(read);
}

std::string Registry::Render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, family.type);
    for (const auto& [labels, c] : family.counters) {
      out += fmt::format("{}{} {}\n", name, labels, c->Value());
    }
    for (const auto& [labels, g] : family.gauges) {
      out += fmt::format("{}{} {}\n", name, labels, g->Value());
    }
    if (family.callback) out += fmt::format("{} {}\n", name, family.callback());
    for (const auto& [labels, h] : family.histograms) {
      auto counts = h->BucketCounts();
      for (std::size_t i = 0; i < h->Bounds().size(); ++i) {
        out += fmt::format("{}_bucket{} {}\n", name,
                           WithLabel(labels, fmt::format("le=\"{}\"", h->Bounds()[i])), counts[i]);
      }
      out += fmt::format("{}_bucket{} {}\n", name, WithLabel(labels, "le=\"+Inf\""), counts.back());
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, labels, h->Sum(), name, labels,
                         counts.back());
    }
  }
  return out;
}

Registry& DefaultRegistry() {
  static Registry registry;
  return registry;
}

}  // namespace platform::metrics
