#pragma once
// The interfaces the identity use cases need; infra implements them, tests fake them.

#include <utility>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "domain/user.hpp"
#include "platform/error.hpp"
#include "platform/patch.hpp"
#include "platform/session_revocation.hpp"

namespace identity::app {

template <typename T>
using Async = boost::asio::awaitable<platform::Result<T>>;

// A session the store ended, with until when its access tokens must be refused; the store
// commits a todo.session.revoked event for each in the same transaction.
using platform::SessionRevocation;

// NewSession: a refresh-token family to open, or to continue on rotation.
struct NewSession {
  std::string family_id;
  std::string refresh_token_hash;  // SHA-256 hex of the opaque token; the token itself is not kept
  std::chrono::seconds lifetime;
  std::chrono::seconds session_max_age{0};  // when opening a family: its absolute lifetime
};

// RotationOutcome: what presenting a refresh token led to.
struct RotationOutcome {
  enum class Kind { kRotated, kReused, kUnknown };
  Kind kind = Kind::kUnknown;
  std::string user_id;
  std::string family_id;
  std::vector<SessionRevocation> ended;  // kReused: the family, when this presentation ended it
};

// ProfileChange: a JSON merge patch of the profile, already validated.
struct ProfileChange {
  std::optional<std::string> name;
  std::optional<std::string> timezone;
  platform::Patch<std::int64_t> default_task_ttl_seconds;
};

// UserStore: users, their sessions, and the todo.user.* events committed with each change.
class UserStore {
 public:
  virtual ~UserStore() = default;
  // kConflict when the email is taken.
  virtual Async<domain::User> Create(domain::User user, std::string password_hash,
                                     NewSession session, std::string request_id) = 0;
  virtual Async<std::optional<domain::Credentials>> FindByEmail(std::string email) = 0;
  virtual Async<std::optional<domain::Credentials>> FindById(std::string id) = 0;
  virtual Async<void> OpenSession(std::string user_id, NewSession session) = 0;
  // Marks the presented token used and stores its successor in the same family; a token used
  // before revokes its whole family (reuse detection).
  virtual Async<RotationOutcome> Rotate(std::string presented_hash, NewSession next) = 0;
  // Revokes the caller's family and the family of the presented refresh token (if it is the
  // user's); returns the sessions it ended.
  virtual Async<std::vector<SessionRevocation>> EndSessions(std::string user_id,
                                                            std::string family_id,
                                                            std::string refresh_token_hash,
                                                            std::string request_id) = 0;
  virtual Async<domain::User> Update(std::string user_id, ProfileChange change,
                                     std::string request_id) = 0;
  // Stores the new hash and revokes every family but keep_family; returns the sessions ended.
  virtual Async<std::vector<SessionRevocation>> ChangePassword(std::string user_id,
                                                               std::string new_hash,
                                                               std::string keep_family,
                                                               std::string request_id) = 0;
  // Deletes the user and its sessions; returns the sessions that were still live (now ended).
  virtual Async<std::vector<SessionRevocation>> Delete(std::string user_id,
                                                       std::string request_id) = 0;
};

// PasswordHasher: Argon2id, off the event loop, with bounded concurrency (kUnavailable when
// saturated rather than queueing without limit).
class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  virtual Async<std::string> Hash(std::string password) = 0;
  virtual Async<bool> Verify(std::string hash, std::string password) = 0;
  // Verifies against a fixed dummy hash so an unknown email costs what a wrong password does.
  virtual Async<bool> VerifyDummy(std::string password) = 0;
};

// LoginThrottle: bounds the password hashing a client can cause: failed password checks per
// account (email) and per client address (logins, password changes and account deletions
// share them), and registrations per client address. Never fails open: it answers only
// success or kRateLimited, whatever the state of its storage.
class LoginThrottle {
 public:
  virtual ~LoginThrottle() = default;
  // kRateLimited with Retry-After when either counter is at its limit.
  virtual Async<void> Check(std::string email, std::string client) = 0;
  virtual Async<void> RecordFailure(std::string email, std::string client) = 0;
  // Counts one registration of the client; kRateLimited with Retry-After beyond the limit.
  virtual Async<void> AdmitRegistration(std::string client) = 0;
};

// Tokens: what register, login and refresh hand out.
struct Tokens {
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;
};

// SessionTokens: mints access tokens and opaque refresh tokens.
class SessionTokens {
 public:
  virtual ~SessionTokens() = default;
  virtual std::string NewRefreshToken() = 0;
  virtual std::string HashRefreshToken(std::string_view token) = 0;
  virtual Tokens Issue(const std::string& user_id, const std::string& family_id,
                       std::string refresh_token) = 0;
  virtual std::chrono::seconds AccessTtl() const = 0;
  virtual std::chrono::seconds RefreshTtl() const = 0;
  virtual std::chrono::seconds SessionMaxAge() const = 0;
};

// AccessRevocations: makes the access tokens of ended sessions unusable in this process at once
// and at the other instances before their events arrive. The store's events are the durable
// record, so this never fails the request.
class AccessRevocations {
 public:
  virtual ~AccessRevocations() = default;
  virtual boost::asio::awaitable<void> RevokeSessions(std::vector<SessionRevocation> ended) = 0;
};

// Clock and id source, injected so use cases are deterministic under test.
class Environment {
 public:
  virtual ~Environment() = default;
  virtual std::string NewId() = 0;
  virtual std::string Now() = 0;  // RFC 3339
};

}  // namespace identity::app
