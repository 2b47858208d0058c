#include "infra/cursor_codec.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "platform/auth/base64url.hpp"
#include "platform/uuid.hpp"

namespace tasks::infra {
namespace {

platform::Error Tampered() {
  return platform::Error::InvalidField("cursor", "is not a cursor this query handed out");
}

}  // namespace

std::string CursorCodec::Mac(std::string_view payload) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), 16);
}

std::string CursorCodec::Encode(const app::Cursor& cursor, std::string_view scope) const {
  std::string position = cursor.key + "|" + cursor.id;
  std::string signed_part = position + "|" + std::string(scope);
  return platform::auth::Base64UrlEncode(position) + "." +
         platform::auth::Base64UrlEncode(Mac(signed_part));
}

platform::Result<app::Cursor> CursorCodec::Decode(std::string_view token,
                                                  std::string_view scope) const {
  if (token.size() > 512) return std::unexpected(Tampered());
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::unexpected(Tampered());
  auto position = platform::auth::Base64UrlDecode(token.substr(0, dot));
  auto mac = platform::auth::Base64UrlDecode(token.substr(dot + 1));
  if (!position || !mac || mac->size() != 16) return std::unexpected(Tampered());
  std::string expected = Mac(*position + "|" + std::string(scope));
  if (CRYPTO_memcmp(expected.data(), mac->data(), 16) != 0) return std::unexpected(Tampered());
  auto bar = position->rfind('|');
  if (bar == std::string::npos) return std::unexpected(Tampered());
  app::Cursor cursor{position->substr(0, bar), position->substr(bar + 1)};
  if (!platform::IsUuid(cursor.id)) return std::unexpected(Tampered());
  return cursor;
}

}  // namespace tasks::infra
