#pragma once
// Profile rules for a user's name, timezone and default task TTL, shared by register and PATCH.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "platform/error.hpp"

namespace identity::domain {

inline constexpr std::size_t kMaxNameCodePoints = 100;
inline constexpr std::int64_t kMinDefaultTaskTtlSeconds = 1;
inline constexpr std::int64_t kMaxDefaultTaskTtlSeconds = 366LL * 24 * 60 * 60;  // 31,622,400
inline constexpr std::string_view kDefaultTimezone = "UTC";

// The trimmed name (ASCII whitespace), if it is 1..100 code points of well-formed UTF-8 with no
// C0, DEL or C1 control characters, which would corrupt logs and rendering. Field "name".
platform::Result<std::string> ValidateName(std::string_view raw);

// Accepts 1 second to 366 days, the same range tasks accept for ttl_seconds, so a default never
// produces a task the tasks service would refuse. Field "default_task_ttl_seconds".
platform::Result<void> ValidateDefaultTaskTtl(std::int64_t seconds);

// TimezoneCatalog: the IANA zone names this deployment knows, matched exactly (IANA names are
// case-sensitive). Infra fills it, e.g. from the tz database, so the rule stays free of I/O.
class TimezoneCatalog {
 public:
  explicit TimezoneCatalog(std::vector<std::string> names);

  bool Contains(std::string_view name) const;

  std::size_t size() const { return names_.size(); }

 private:
  std::unordered_set<std::string> names_;
};

// Accepts a name that `catalog` contains, such as "Asia/Jakarta" or "UTC". Field "timezone".
platform::Result<void> ValidateTimezone(std::string_view name, const TimezoneCatalog& catalog);

}  // namespace identity::domain
