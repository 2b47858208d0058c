#pragma once
// TzZone: a person's time zone from the operating system's tz database (/usr/share/zoneinfo).

#include <memory>
#include <string>
#include <string_view>

#include "domain/progress.hpp"

namespace date {
class time_zone;  // NOLINT(readability-identifier-naming): the date library names it
}

namespace progress::infra {

class TzZone : public domain::Zone {
 public:
  // The zone of an IANA name ("Asia/Jakarta"). A name the database does not know, or a database
  // that cannot be read, gives UTC: a profile's time zone must not stop progress from showing.
  static std::unique_ptr<TzZone> Load(std::string_view name);

  [[nodiscard]] domain::Day LocalDay(domain::Time t) const override;
  [[nodiscard]] domain::Time StartOfDay(domain::Day day) const override;

  // The name of the zone in use: the one asked for, or "UTC" after a fallback.
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  TzZone(const date::time_zone* zone, std::string name);

  const date::time_zone* zone_;  // nullptr: UTC, without needing the database at all
  std::string name_;
};

}  // namespace progress::infra
