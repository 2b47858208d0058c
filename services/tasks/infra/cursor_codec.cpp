#include "infra/cursor_codec.hpp"

#include "platform/uuid.hpp"

namespace tasks::infra {
namespace {

platform::Error Tampered() {
  return platform::Error::InvalidField("cursor", "is not a cursor this query handed out");
}

}  // namespace

std::string CursorCodec::Encode(const app::Cursor& cursor, std::string_view scope) const {
  return signer_.Encode(cursor.key + "|" + cursor.id, scope);
}

platform::Result<app::Cursor> CursorCodec::Decode(std::string_view token,
                                                  std::string_view scope) const {
  auto position = signer_.Decode(token, scope);
  if (!position) return std::unexpected(Tampered());
  auto bar = position->rfind('|');
  if (bar == std::string::npos) return std::unexpected(Tampered());
  app::Cursor cursor{position->substr(0, bar), position->substr(bar + 1)};
  if (!platform::IsUuid(cursor.id)) return std::unexpected(Tampered());
  return cursor;
}

}  // namespace tasks::infra
