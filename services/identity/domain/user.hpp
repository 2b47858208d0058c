#pragma once
// User: a person's public account state, as API.md's `user` object and the events carry it.

#include <cstdint>
#include <optional>
#include <string>

namespace identity::domain {

// User: never holds the password hash, so it can be rendered and published as is.
struct User {
  std::string id;
  std::string email;
  std::string name;
  std::string timezone = "UTC";
  std::optional<std::int64_t> default_task_ttl_seconds;
  std::string created_at;  // RFC 3339, UTC, milliseconds
  std::string updated_at;
  std::int64_t version = 1;
};

// Credentials: the user together with the stored Argon2id hash, for logins only.
struct Credentials {
  User user;
  std::string password_hash;
};

}  // namespace identity::domain
