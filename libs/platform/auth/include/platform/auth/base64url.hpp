#pragma once
// Base64url without padding (RFC 4648 section 5), as JWTs and JWKS use it.

#include <optional>
#include <string>
#include <string_view>

namespace platform::auth {

// Encodes bytes as unpadded base64url.
std::string Base64UrlEncode(std::string_view bytes);

// Decodes unpadded base64url strictly: padding, '+', '/', any other character, a length that
// no encoding produces, or non-zero unused trailing bits give nullopt. Strictness means one
// byte string has exactly one accepted encoding, so a token cannot be re-spelled.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace platform::auth
