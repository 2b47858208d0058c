#pragma once
// The identity service's signing key and the JWKS file beside it, from which verifiers on
// this host (tasks, progress) read the public keys instead of calling identity.

#include <string>

#include "platform/auth/jwt.hpp"

namespace identity::infra {

// Loads the signing key from `key_dir` (creating the directory and the key on first start).
platform::auth::SigningKey LoadSigningKey(const std::string& key_dir);

// Writes `jwks` to key_dir/jwks.json through a temporary file and a rename, so a reader never
// sees half a file. Throws when it cannot (a start-up failure).
void PublishJwks(const std::string& key_dir, const std::string& jwks);

}  // namespace identity::infra
