#include "platform/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace {

TEST(Metrics, CounterAddsUpIncrementsFromManyThreads) {
  platform::metrics::Registry registry;
  auto& counter = registry.GetCounter("requests_total", "requests", {{"route", "/x"}});
  std::vector<std::thread> threads;
  threads.reserve(6);
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) counter.Inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.Value(), 60'000u);
  EXPECT_NE(registry.Render().find("requests_total{route=\"/x\"} 60000"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulativeAndSumAcrossThreads) {
  platform::metrics::Registry registry;
  auto& h = registry.GetHistogram("latency_seconds", "latency", {}, {0.1, 1.0});
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        h.Observe(0.05);
        h.Observe(0.5);
        h.Observe(5.0);
      }
    });
  }
  for (auto& t : threads) t.join();
  auto counts = h.BucketCounts();
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0], 4000u);   // <= 0.1
  EXPECT_EQ(counts[1], 8000u);   // <= 1.0
  EXPECT_EQ(counts[2], 12000u);  // +Inf
  EXPECT_NEAR(h.Sum(), 4000 * 5.55, 1e-6);
  auto text = registry.Render();
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"+Inf\"} 12000"), std::string::npos);
  EXPECT_NE(text.find("# TYPE latency_seconds histogram"), std::string::npos);
}

}  // namespace
