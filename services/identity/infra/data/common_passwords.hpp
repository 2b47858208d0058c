#pragma once
// The common-password list the password policy refuses, embedded in the binary at build time
// (data/common-passwords.txt).

#include <string_view>

namespace identity::infra {

// The list's text, one password a line. Throws if the build did not embed it (a bug).
std::string_view CommonPasswordsText();

}  // namespace identity::infra
