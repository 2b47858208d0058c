#include "domain/email.hpp"

#include <algorithm>

#include "domain/utf8.hpp"

namespace identity::domain {
namespace {

constexpr std::string_view kField = "email";
// Characters that only appear in quoted or bracketed RFC 5322 forms, which we do not accept
// because they invite header injection and ambiguous parsing downstream.
constexpr std::string_view kForbidden = "<>()[],;:\"\\";

platform::Error Invalid(std::string message) {
  std::string detail = std::string(kField) + " " + message;
  return platform::Error::Validation(std::move(detail),
                                     {{std::string(kField), std::move(message)}});
}

}  // namespace

platform::Result<std::string> NormalizeEmail(std::string_view raw) {
  std::string email = AsciiLower(TrimAsciiSpace(raw));
  if (email.empty()) return std::unexpected(Invalid("is required"));
  if (email.size() < kMinEmailBytes) {
    return std::unexpected(
        Invalid("must be at least " + std::to_string(kMinEmailBytes) + " characters"));
  }
  if (email.size() > kMaxEmailBytes) {
    return std::unexpected(
        Invalid("must be at most " + std::to_string(kMaxEmailBytes) + " characters"));
  }
  auto code_points = DecodeUtf8(email);
  if (!code_points) return std::unexpected(Invalid("must be valid UTF-8"));
  for (char32_t c : *code_points) {
    if (IsControlCodePoint(c) || c == ' ') {
      return std::unexpected(Invalid("must not contain spaces or control characters"));
    }
    if (c < 0x80 && kForbidden.find(static_cast<char>(c)) != std::string_view::npos) {
      return std::unexpected(Invalid("must not contain any of < > ( ) [ ] , ; : \" \\"));
    }
  }
  if (std::ranges::count(email, '@') != 1) {
    return std::unexpected(Invalid("must contain exactly one @"));
  }
  const std::size_t at = email.find('@');
  const std::string_view local = std::string_view(email).substr(0, at);
  const std::string_view domain = std::string_view(email).substr(at + 1);
  if (local.empty()) return std::unexpected(Invalid("must have a name before the @"));
  if (local.size() > kMaxEmailLocalPartBytes) {
    return std::unexpected(Invalid("must have at most " + std::to_string(kMaxEmailLocalPartBytes) +
                                   " characters before the @"));
  }
  if (domain.find('.') == std::string_view::npos) {
    return std::unexpected(Invalid("must have a domain with a dot after the @"));
  }
  const auto bad_edge = [](char c) { return c == '.' || c == '-'; };
  if (bad_edge(domain.front()) || bad_edge(domain.back()) ||
      domain.find("..") != std::string_view::npos) {
    return std::unexpected(Invalid("must have a valid domain after the @"));
  }
  return email;
}

}  // namespace identity::domain
