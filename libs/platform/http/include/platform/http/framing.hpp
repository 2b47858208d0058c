#pragma once
// What the server refuses before a handler runs: request framing that two parsers could read
// differently (RFC 9112 section 6, request smuggling) and bodies that are not JSON. Plain
// functions of the parsed header, so fuzz targets call them without a server.

#include <string_view>

#include "platform/error.hpp"
#include "platform/http/message.hpp"

namespace platform::http {

// Checks how a request says where it ends; Error::Validation (400, then close) when:
// - Transfer-Encoding is anything but exactly one final `chunked` (`chunked, identity`,
//   `gzip, chunked`, `identity`, or Transfer-Encoding in an HTTP/1.0 request);
// - Transfer-Encoding comes together with Content-Length;
// - Content-Length is given twice or is not a plain decimal number;
// - an HTTP/1.1 request has no Host, or any request more than one.
// `version` as Beast reports it (10, 11); header names lower-case, every field as sent.
Result<void> CheckFraming(unsigned version, const HeaderList& headers);

// Whether a Content-Type names JSON: `application/json` in any case, with or without
// parameters (`; charset=utf-8`).
bool IsJsonMediaType(std::string_view content_type);

// The 415 problem+json (type "unsupported-media-type") for a body that is not JSON.
Response UnsupportedMediaType();

}  // namespace platform::http
