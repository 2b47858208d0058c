#include "infra/auth/jwks_file.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace identity::infra {

platform::auth::SigningKey LoadSigningKey(const std::string& key_dir) {
  std::filesystem::create_directories(key_dir);
  return platform::auth::SigningKey::LoadOrCreate(key_dir + "/identity-ed25519.pem");
}

void PublishJwks(const std::string& key_dir, const std::string& jwks) {
  std::string path = key_dir + "/jwks.json";
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << jwks;
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace identity::infra
