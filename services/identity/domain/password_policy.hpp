#pragma once
// Password policy for new passwords (NIST SP 800-63B style): length and a blocklist, no
// composition rules, because those push people towards predictable patterns.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

#include "platform/error.hpp"

namespace identity::domain {

inline constexpr std::size_t kMinPasswordCodePoints = 8;
inline constexpr std::size_t kMaxPasswordCodePoints = 128;

// CommonPasswords: the blocklist of the most common passwords, matched case-insensitively.
// It is built from text handed in by the caller so the domain never touches the disk.
class CommonPasswords {
 public:
  // One password per line; '\r' line endings and blank lines are tolerated, entries are
  // lower-cased (ASCII) so the list may come in any case.
  explicit CommonPasswords(std::string_view newline_separated_list);

  // Whether `password`, ASCII lower-cased, is on the list ("PassWord" matches "password").
  bool Contains(std::string_view password) const;

  std::size_t size() const { return passwords_.size(); }

 private:
  std::unordered_set<std::string> passwords_;
};

// Checks a password someone is about to set: well-formed UTF-8, 8..128 code points (never
// truncated), and not on the common list. Errors name `field` so a password change can report
// "new_password" instead of "password".
platform::Result<void> CheckNewPassword(std::string_view password, const CommonPasswords& common,
                                        std::string_view field = "password");

}  // namespace identity::domain
