#pragma once
// CursorSigner: opaque, tamper-evident page cursors. A position is signed (HMAC-SHA256) together
// with the scope it belongs to (the query, the user), so a client can neither forge a position
// nor reuse a cursor for another query.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace platform::auth {

// CursorSigner: the key must be shared by every replica (keep it under the key directory; see
// LoadOrCreateSecret).
class CursorSigner {
 public:
  explicit CursorSigner(std::string key) : key_(std::move(key)) {}
  std::string Encode(std::string_view position, std::string_view scope) const;
  // The position, or nullopt for anything this signer did not hand out for this scope.
  std::optional<std::string> Decode(std::string_view token, std::string_view scope) const;

 private:
  std::string Mac(std::string_view position, std::string_view scope) const;
  std::string key_;
};

// The scope text of a cursor: the list it pages (`tasks`, `activity`), the user it was made
// for, and the query's parameters in the order given. Every part is length-prefixed, so two
// different scopes never give the same text (`q=a%26sort%3Dpriority` is not `q=a&sort=...`).
std::string CursorScopeText(std::string_view list, std::string_view user_id,
                            const std::vector<std::pair<std::string, std::string>>& params);

// Reads the secret at `path`, or creates it (random, owner-only) when absent; replicas on one
// host racing to create it all end up with the one that won. Throws (a start-up error) when
// the file holds fewer than 32 bytes or cannot be created.
std::string LoadOrCreateSecret(const std::string& path);

}  // namespace platform::auth
