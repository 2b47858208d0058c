#pragma once
// Reading identity request bodies into commands: JSON types and unknown fields here (pure, so
// the fuzz targets call exactly what the handlers call), rules in the use cases.

#include <string>
#include <string_view>

#include "app/use_cases.hpp"
#include "platform/error.hpp"

namespace identity::infra {

// POST /v1/auth/register; the caller sets request_id and client_address.
platform::Result<app::RegisterCommand> ParseRegisterBody(std::string_view text);
// POST /v1/auth/login; the caller sets client_address.
platform::Result<app::LoginCommand> ParseLoginBody(std::string_view text);
// The refresh token of POST /v1/auth/refresh and POST /v1/auth/logout.
platform::Result<std::string> ParseRefreshTokenBody(std::string_view text);
// PATCH /v1/users/me.
platform::Result<app::ProfileChange> ParseProfileChange(std::string_view text);
// PUT /v1/users/me/password.
platform::Result<app::ChangePasswordCommand> ParseChangePasswordBody(std::string_view text);
// The password that confirms DELETE /v1/users/me.
platform::Result<std::string> ParsePasswordBody(std::string_view text);

}  // namespace identity::infra
