#pragma once
// The identity use cases: one function each, one file each, all on the ports in ports.hpp.

#include <cstdint>
#include <string>

#include "app/ports.hpp"
#include "domain/password_policy.hpp"
#include "domain/user_rules.hpp"

namespace identity::app {

// IdentityDeps: the ports and rule data every use case draws from.
struct IdentityDeps {
  UserStore& store;
  PasswordHasher& hasher;
  LoginThrottle& throttle;
  SessionTokens& tokens;
  AccessRevocations& revocations;
  Environment& env;
  const domain::CommonPasswords& common_passwords;
  const domain::TimezoneCatalog& timezones;
};

// AuthResult: a user with a fresh pair of tokens.
struct AuthResult {
  domain::User user;
  Tokens tokens;
};

// Caller: who is asking, as the auth guard established it.
struct Caller {
  std::string user_id;
  std::string session_id;
  std::string token_id;
  std::int64_t token_expires_at = 0;
  std::string request_id;
  std::string client_address;  // for the throttles of password checks
};

struct RegisterCommand {
  std::string email, password, name, request_id, client_address;
};
struct LoginCommand {
  std::string email, password, client_address;
};
struct ChangePasswordCommand {
  std::string current_password, new_password;
};

// The conflict a second registration of an email gets (from the use case or the store).
platform::Error EmailTaken();

Async<AuthResult> RegisterUser(IdentityDeps& deps, RegisterCommand command);
Async<AuthResult> LogIn(IdentityDeps& deps, LoginCommand command);
Async<Tokens> RefreshSession(IdentityDeps& deps, std::string refresh_token);
Async<void> LogOut(IdentityDeps& deps, const Caller& caller, std::string refresh_token);
Async<domain::User> GetProfile(IdentityDeps& deps, const Caller& caller);
Async<domain::User> UpdateProfile(IdentityDeps& deps, const Caller& caller, ProfileChange change);
Async<void> ChangePassword(IdentityDeps& deps, const Caller& caller, ChangePasswordCommand command);
Async<void> DeleteAccount(IdentityDeps& deps, const Caller& caller, std::string password);

}  // namespace identity::app
