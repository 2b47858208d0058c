#pragma once
// AuthGuard: wraps handlers so they run only for a valid, unrevoked Bearer access token.

#include "platform/auth/jwt.hpp"
#include "platform/auth/revocation.hpp"
#include "platform/http/client_address.hpp"
#include "platform/http/message.hpp"

namespace platform::http {

// AuthGuard: on success fills Request::subject/session_id/token_id; otherwise answers 401
// with WWW-Authenticate. It never fails open: while revocations cannot be known (the replay of
// the stream has not caught up, or neither the stream nor Redis can be followed) a request is
// refused with 503, not accepted on its signature alone.
class AuthGuard {
 public:
  AuthGuard(auth::TokenVerifier& verifier, auth::RevocationList& revocations)
      : verifier_(verifier), revocations_(revocations) {}

  Handler Protect(Handler inner);
  // The check alone, for handlers that authenticate conditionally.
  boost::asio::awaitable<Result<void>> Authenticate(Request& request);

 private:
  auth::TokenVerifier& verifier_;
  auth::RevocationList& revocations_;
};

}  // namespace platform::http
