#pragma once
// Handler functions behind the identity routes (declared together, defined one file per
// resource: auth_handlers.cpp, user_handlers.cpp).

#include "app/use_cases.hpp"
#include "platform/http/message.hpp"

namespace identity::infra {

using HandlerResult = boost::asio::awaitable<platform::http::Response>;

app::Caller CallerOf(const platform::http::Request& request);

HandlerResult HandleRegister(app::IdentityDeps& deps, platform::http::Request& request);
HandlerResult HandleLogin(app::IdentityDeps& deps, platform::http::Request& request);
HandlerResult HandleRefresh(app::IdentityDeps& deps, platform::http::Request& request);
HandlerResult HandleLogout(app::IdentityDeps& deps, platform::http::Request& request);
HandlerResult HandleGetMe(app::IdentityDeps& deps, platform::http::Request& request);
HandlerResult HandlePatchMe(app::IdentityDeps& deps, platform::http::Request& request);
HandlerResult HandleChangePassword(app::IdentityDeps& deps, platform::http::Request& request);
HandlerResult HandleDeleteMe(app::IdentityDeps& deps, platform::http::Request& request);

}  // namespace identity::infra
