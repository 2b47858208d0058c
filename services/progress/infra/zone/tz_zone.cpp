#include "infra/zone/tz_zone.hpp"

#include <date/tz.h>

#include <exception>
#include <utility>

namespace progress::infra {
namespace {

// date's calendar types are not std::chrono's (date::days counts in int, and local_time has
// its own clock); both count days since 1970-01-01, so the count carries over as it is.
date::local_days ToLocalDays(domain::Day day) {
  return date::local_days{date::days{static_cast<int>(day.time_since_epoch().count())}};
}

domain::Day ToDay(date::local_days day) {
  return domain::Day{std::chrono::days{day.time_since_epoch().count()}};
}

}  // namespace

std::unique_ptr<TzZone> TzZone::Load(std::string_view name) {
  try {
    const date::time_zone* zone = date::locate_zone(name);
    // The OS database reads a zone's file on first use; do it here, where a failure can still
    // fall back, rather than in LocalDay on the request path.
    (void)zone->get_info(std::chrono::sys_seconds{});
    return std::unique_ptr<TzZone>(new TzZone(zone, std::string(name)));
  } catch (const std::exception&) {
    // Unknown name (date throws std::runtime_error) or an unreadable database.
    return std::unique_ptr<TzZone>(new TzZone(nullptr, "UTC"));
  }
}

TzZone::TzZone(const date::time_zone* zone, std::string name)
    : zone_(zone), name_(std::move(name)) {}

domain::Day TzZone::LocalDay(domain::Time t) const {
  if (zone_ == nullptr) return std::chrono::floor<std::chrono::days>(t);
  return ToDay(date::floor<date::days>(zone_->to_local(t)));
}

domain::Time TzZone::StartOfDay(domain::Day day) const {
  if (zone_ == nullptr) return domain::Time{day};
  // Midnight may not exist (a DST gap that starts at 00:00, as in America/Santiago): to_sys
  // with `earliest` then gives the transition, the first instant of the date. Midnight may
  // also happen twice (a fall-back at 01:00, as in America/Havana): the first one starts it.
  return std::chrono::time_point_cast<std::chrono::milliseconds>(
      zone_->to_sys(ToLocalDays(day), date::choose::earliest));
}

}  // namespace progress::infra
