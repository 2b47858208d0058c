#pragma once
// The interfaces the progress use cases need; infra implements them, tests fake them.

#include <utility>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/progress.hpp"
#include "platform/error.hpp"

namespace progress::app {

template <typename T>
using Async = boost::asio::awaitable<platform::Result<T>>;

// Aggregates: what the read model sums up for one person at one instant.
struct Aggregates {
  domain::StatusCounts counts;
  double average_progress = 0;
  std::int64_t overdue = 0;
  std::int64_t expiring_within_24h = 0;
  std::int64_t completed_today = 0;
};

// ActivityItem: one applied task event as the feed and the stream show it.
struct ActivityItem {
  std::int64_t seq = 0;  // the stream sequence: the SSE id and the feed's cursor
  std::string event_id;
  domain::EventKind kind = domain::EventKind::kCreated;
  std::string task_id;
  std::string title;
  domain::Time at;
  std::string task_json;  // the task's state after the event ("null" for deletions)
};

// ProgressStore: the read model's queries (the writes come from the event consumer).
class ProgressStore {
 public:
  virtual ~ProgressStore() = default;
  // The person's IANA time zone ("UTC" when no todo.user.* event told us one).
  virtual Async<std::string> TimeZone(std::string user_id) = 0;
  virtual Async<Aggregates> Aggregate(std::string user_id, domain::Time now,
                                      domain::Time today_start) = 0;
  // Created / completed / expired events at or after `since`.
  virtual Async<std::vector<domain::ActivityPoint>> Points(std::string user_id,
                                                           domain::Time since) = 0;
  // Instants of completed events at or after `since`.
  virtual Async<std::vector<domain::Time>> Completions(std::string user_id, domain::Time since) = 0;
  // Newest first, before `before_seq` when given.
  virtual Async<std::vector<ActivityItem>> Activity(std::string user_id,
                                                    std::optional<std::int64_t> before_seq,
                                                    int limit) = 0;
  // Oldest first, after `after_seq`.
  virtual Async<std::vector<ActivityItem>> ActivitySince(std::string user_id,
                                                         std::int64_t after_seq, int limit) = 0;
  // The newest sequence of the person's activity (0 when none).
  virtual Async<std::int64_t> LatestSeq(std::string user_id) = 0;
};

// Zones: IANA name -> Zone (unknown names fall back to UTC).
class Zones {
 public:
  virtual ~Zones() = default;
  virtual std::shared_ptr<const domain::Zone> Find(const std::string& name) = 0;
};

// Clock: the current instant (tests fix it).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual domain::Time Now() = 0;
};

}  // namespace progress::app
