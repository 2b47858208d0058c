#include "platform/auth/auth_guard.hpp"

#include <strings.h>

#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/try.hpp"
#include "platform/uuid.hpp"

namespace platform::http {

boost::asio::awaitable<Result<void>> AuthGuard::Authenticate(Request& request) {
  std::string_view header = request.Header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() ||
      strncasecmp(header.data(), kScheme.data(), kScheme.size()) != 0) {
    co_return std::unexpected(Error::Unauthorized("a Bearer access token is required"));
  }
  TODO_CO_TRY(auto claims, verifier_.Verify(header.substr(kScheme.size())));
  // Revocation is per session: a token naming none could never be revoked.
  if (!IsUuid(claims.sid)) {
    co_return std::unexpected(Error::Unauthorized("the access token names no session"));
  }
  // Most requests are decided without a coroutine frame or a Redis round trip.
  Result<bool> revoked = false;
  if (auto quick = revocations_.QuickCheck(claims)) {
    revoked = std::move(*quick);
  } else {
    revoked = co_await revocations_.IsRevoked(claims);
  }
  if (!revoked) {
    static auto& refused = metrics::DefaultRegistry().GetCounter(
        "auth_revocation_unavailable_total",
        "Requests refused with 503 because revocations could not be checked");
    refused.Inc();
    co_return std::unexpected(revoked.error());
  }
  if (*revoked) co_return std::unexpected(Error::Unauthorized("the access token has been revoked"));
  request.subject = std::move(claims.sub);
  request.session_id = std::move(claims.sid);
  request.token_id = std::move(claims.jti);
  request.token_expires_at = claims.exp;
  co_return Result<void>{};
}

Handler AuthGuard::Protect(Handler inner) {
  return [this, inner = std::move(inner)](Request& request) -> boost::asio::awaitable<Response> {
    TODO_CO_TRY_VOID(co_await Authenticate(request));
    co_return co_await inner(request);
  };
}

}  // namespace platform::http
