#pragma once
// Reads the IANA zone names installed under /usr/share/zoneinfo (Debian's tzdata).

#include <string>
#include <vector>

namespace identity::infra {

std::vector<std::string> InstalledTimezones(const std::string& root = "/usr/share/zoneinfo");

}  // namespace identity::infra
