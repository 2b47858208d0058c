#pragma once
// CursorCodec: opaque, tamper-evident page cursors (HMAC-SHA256 over the position and the
// query it belongs to), so a client can neither forge a position nor reuse it elsewhere.

#include <string>
#include <string_view>

#include "app/ports.hpp"
#include "platform/auth/cursor_signer.hpp"

namespace tasks::infra {

// CursorCodec: the key must be shared by every replica (it is kept under the key directory).
class CursorCodec {
 public:
  explicit CursorCodec(std::string key) : signer_(std::move(key)) {}
  // `scope` names what the cursor is valid for (the user, sort order and filters).
  std::string Encode(const app::Cursor& cursor, std::string_view scope) const;
  // The position, checked to be a key of `sort`'s type and range (it goes to SQL as such);
  // Error::Validation on field "cursor" for anything else.
  platform::Result<app::Cursor> Decode(std::string_view token, std::string_view scope,
                                       app::SortKey sort) const;

 private:
  platform::auth::CursorSigner signer_;
};

}  // namespace tasks::infra
