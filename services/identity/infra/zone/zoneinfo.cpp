#include "infra/zone/zoneinfo.hpp"

#include <filesystem>
#include <fstream>

namespace identity::infra {

std::vector<std::string> InstalledTimezones(const std::string& root) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    auto relative = it->path().lexically_relative(root).string();
    // posix/ and right/ duplicate every zone under other rules; they are not zone names.
    if (it->is_directory() && (relative == "posix" || relative == "right")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || relative.find('.') != std::string::npos) continue;
    if (relative == "localtime" || relative == "posixrules" || relative == "Factory") continue;
    std::ifstream file(it->path(), std::ios::binary);
    char magic[4] = {};
    file.read(magic, 4);
    if (std::string_view(magic, 4) == "TZif") names.push_back(relative);
  }
  return names;
}

}  // namespace identity::infra
