#include "platform/auth/cursor_signer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "platform/auth/base64url.hpp"
#include "platform/uuid.hpp"

namespace platform::auth {

namespace {
constexpr std::size_t kMacBytes = 16;
constexpr std::size_t kMaxToken = 512;
}  // namespace

std::string CursorSigner::Mac(std::string_view position, std::string_view scope) const {
  std::string signed_part;
  signed_part.reserve(position.size() + scope.size() + 1);
  signed_part.append(position).append("|").append(scope);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), digest,
       &length);
  return std::string(reinterpret_cast<const char*>(digest), kMacBytes);
}

std::string CursorSigner::Encode(std::string_view position, std::string_view scope) const {
  return Base64UrlEncode(position) + "." + Base64UrlEncode(Mac(position, scope));
}

std::optional<std::string> CursorSigner::Decode(std::string_view token,
                                                std::string_view scope) const {
  if (token.size() > kMaxToken) return std::nullopt;
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto position = Base64UrlDecode(token.substr(0, dot));
  auto mac = Base64UrlDecode(token.substr(dot + 1));
  if (!position || !mac || mac->size() != kMacBytes) return std::nullopt;
  std::string expected = Mac(*position, scope);
  if (CRYPTO_memcmp(expected.data(), mac->data(), kMacBytes) != 0) return std::nullopt;
  return position;
}

std::string CursorScopeText(std::string_view list, std::string_view user_id,
                            const std::vector<std::pair<std::string, std::string>>& params) {
  std::string scope;
  auto part = [&scope](std::string_view text) {
    scope.append(std::to_string(text.size())).append(":").append(text);
  };
  part(list);
  part(user_id);
  for (const auto& [name, value] : params) {
    part(name);
    part(value);
  }
  return scope;
}

std::string LoadOrCreateSecret(const std::string& path) {
  if (std::ifstream in{path, std::ios::binary}) {
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (secret.size() >= 32) return secret;
    // Never replaced: other replicas may be signing with it. A start-up error names it.
    throw std::runtime_error("the cursor key " + path + " holds " + std::to_string(secret.size()) +
                             " bytes, at least 32 are needed (delete it to have one made)");
  }
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::string secret = RandomToken();
  std::string tmp = path + ".tmp" + NewUuidV7();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << secret;
  }
  std::filesystem::permissions(
      tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // link() fails if another replica won the race; then its secret (whole: written before its
  // link) is the one.
  int linked = ::link(tmp.c_str(), path.c_str());
  int error = errno;
  std::filesystem::remove(tmp);
  if (linked != 0) {
    if (error != EEXIST) {
      throw std::runtime_error("cannot create the cursor key " + path + ": " +
                               std::strerror(error));
    }
    return LoadOrCreateSecret(path);
  }
  return secret;
}

}  // namespace platform::auth
