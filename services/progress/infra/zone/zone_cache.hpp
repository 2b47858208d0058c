#pragma once
// ZoneCache: app::Zones on the tz database, each zone loaded once.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "app/ports.hpp"

namespace progress::infra {

class ZoneCache : public app::Zones {
 public:
  std::shared_ptr<const domain::Zone> Find(const std::string& name) override;

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const domain::Zone>> zones_;
};

}  // namespace progress::infra
