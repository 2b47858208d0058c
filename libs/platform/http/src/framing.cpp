#include "platform/http/framing.hpp"

#include <strings.h>

#include <algorithm>

#include "platform/json.hpp"

namespace platform::http {
namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view Trim(std::string_view text) {
  auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The transfer codings of every Transfer-Encoding field, in order (empty list elements are
// allowed by the list syntax and skipped).
std::vector<std::string_view> TransferCodings(const HeaderList& headers) {
  std::vector<std::string_view> codings;
  for (const auto& [name, value] : headers) {
    if (name != "transfer-encoding") continue;
    std::string_view rest = value;
    while (true) {
      auto comma = rest.find(',');
      auto coding = Trim(rest.substr(0, comma));
      if (!coding.empty()) codings.push_back(coding);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return codings;
}

bool IsDecimal(std::string_view text) {
  // 19 digits still fit an int64; a longer length is no length this server reads.
  return !text.empty() && text.size() <= 19 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Error Refused(std::string detail) { return Error::Validation(std::move(detail)); }

}  // namespace

Result<void> CheckFraming(unsigned version, const HeaderList& headers) {
  int transfer_encodings = 0, content_lengths = 0, hosts = 0;
  bool content_length_ok = true;
  for (const auto& [name, value] : headers) {
    if (name == "transfer-encoding") {
      ++transfer_encodings;
    } else if (name == "content-length") {
      ++content_lengths;
      content_length_ok = content_length_ok && IsDecimal(Trim(value));
    } else if (name == "host") {
      ++hosts;
    }
  }
  if (transfer_encodings > 0) {
    if (version < 11) return std::unexpected(Refused("Transfer-Encoding needs HTTP/1.1"));
    if (content_lengths > 0) {
      return std::unexpected(Refused("Transfer-Encoding and Content-Length together"));
    }
    auto codings = TransferCodings(headers);
    if (codings.size() != 1 || !EqualsIgnoringCase(codings.front(), "chunked")) {
      return std::unexpected(Refused("the only Transfer-Encoding accepted is chunked"));
    }
  }
  if (content_lengths > 1) return std::unexpected(Refused("Content-Length given more than once"));
  if (!content_length_ok) return std::unexpected(Refused("Content-Length is not a number"));
  if (hosts > 1) return std::unexpected(Refused("Host given more than once"));
  if (version >= 11 && hosts == 0) return std::unexpected(Refused("HTTP/1.1 requires Host"));
  return {};
}

bool IsJsonMediaType(std::string_view content_type) {
  auto type = Trim(content_type.substr(0, content_type.find(';')));
  return EqualsIgnoringCase(type, "application/json");
}

Response UnsupportedMediaType() {
  JsonWriter w;
  w.StartObject();
  w.Field("type", "/problems/unsupported-media-type");
  w.Field("title", "Unsupported media type");
  w.Field("status", 415);
  w.Field("detail", "the request body must be application/json");
  w.EndObject();
  Response r;
  r.status = 415;
  r.body = w.Take();
  r.headers.emplace_back("Content-Type", "application/problem+json");
  r.headers.emplace_back("Accept", "application/json");
  return r;
}

}  // namespace platform::http
