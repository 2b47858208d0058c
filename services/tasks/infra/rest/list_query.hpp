#pragma once
// Reading GET /v1/tasks query parameters into a ListQuery; unknown ones are a 400.

#include "app/ports.hpp"
#include "infra/rest/cursor_codec.hpp"
#include "platform/http/message.hpp"

namespace tasks::infra {

// The scope a cursor is bound to: the user, the sort order and every filter as decoded, so it
// cannot be replayed by another user or against another query.
std::string CursorScope(const platform::http::Request& request, std::string_view owner_id);

platform::Result<app::ListQuery> ParseListQuery(const platform::http::Request& request,
                                                const std::string& owner_id,
                                                const CursorCodec& codec);

}  // namespace tasks::infra
