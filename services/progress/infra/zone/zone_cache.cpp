#include "infra/zone/zone_cache.hpp"

#include "infra/zone/tz_zone.hpp"

namespace progress::infra {

std::shared_ptr<const domain::Zone> ZoneCache::Find(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = zones_[name];
  if (!slot) slot = std::shared_ptr<const domain::Zone>(TzZone::Load(name));
  return slot;
}

}  // namespace progress::infra
