#include "infra/data/common_passwords.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace identity::data {
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}

namespace identity::infra {

std::string_view CommonPasswordsText() {
  constexpr std::string_view kName = "common-passwords.txt";
  for (const auto& [file, text] : data::EmbeddedFiles()) {
    if (file == kName) return text;
  }
  throw std::runtime_error("embedded file missing: " + std::string(kName));
}

}  // namespace identity::infra
