#pragma once
// Reading the progress endpoints' query parameters and the activity cursor (pure, so the fuzz
// targets call exactly what the handlers call).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "platform/auth/cursor_signer.hpp"
#include "platform/error.hpp"
#include "platform/http/message.hpp"

namespace progress::infra {

// Anything but the named parameters is a 400, so a misspelt one is not silently ignored.
platform::Result<void> OnlyParameters(const platform::http::Request& request,
                                      std::initializer_list<std::string_view> allowed);
// The last value given for `name`, if any.
std::optional<std::string> Parameter(const platform::http::Request& request, std::string_view name);
// A number above zero in plain digits, else nullopt.
std::optional<std::int64_t> PositiveNumber(std::string_view text);

// GET /v1/progress/daily: how many days.
platform::Result<int> ParseDailyQuery(const platform::http::Request& request);

// ActivityQuery: a page of GET /v1/activity (size, and the sequence number to go on before).
struct ActivityQuery {
  int limit = 0;
  std::optional<std::int64_t> before;
};
// `scope` is what the cursor is bound to: "activity:" and the user id.
platform::Result<ActivityQuery> ParseActivityQuery(const platform::http::Request& request,
                                                   const platform::auth::CursorSigner& cursors,
                                                   std::string_view scope);

}  // namespace progress::infra
