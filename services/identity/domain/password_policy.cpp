#include "domain/password_policy.hpp"

#include "domain/utf8.hpp"

namespace identity::domain {
namespace {

platform::Error Invalid(std::string_view field, std::string message) {
  return platform::Error::InvalidField(field, std::move(message));
}

}  // namespace

CommonPasswords::CommonPasswords(std::string_view newline_separated_list) {
  while (!newline_separated_list.empty()) {
    const std::size_t end = newline_separated_list.find('\n');
    std::string_view line = newline_separated_list.substr(0, end);
    newline_separated_list.remove_prefix(
        end == std::string_view::npos ? newline_separated_list.size() : end + 1);
    // Only the line ending is stripped: spaces could be part of a listed password.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) passwords_.insert(AsciiLower(line));
  }
}

bool CommonPasswords::Contains(std::string_view password) const {
  return passwords_.contains(AsciiLower(password));
}

platform::Result<void> CheckNewPassword(std::string_view password, const CommonPasswords& common,
                                        std::string_view field) {
  const auto length = CountCodePoints(password);
  if (!length) return std::unexpected(Invalid(field, "must be valid UTF-8"));
  if (*length < kMinPasswordCodePoints) {
    return std::unexpected(Invalid(
        field, "must be at least " + std::to_string(kMinPasswordCodePoints) + " characters"));
  }
  if (*length > kMaxPasswordCodePoints) {
    return std::unexpected(Invalid(
        field, "must be at most " + std::to_string(kMaxPasswordCodePoints) + " characters"));
  }
  if (common.Contains(password)) {
    return std::unexpected(Invalid(field, "is one of the 3,000 most common passwords"));
  }
  return {};
}

}  // namespace identity::domain
