#pragma once
// PostgreSQL array literals for text-format parameters: a whole column of values travels as
// one parameter ($1::text[]), so a bulk insert is one statement instead of a row per call.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platform::pg {

// {"a","b \"quoted\"","c\\d"}: every element quoted, so no value is mistaken for NULL or split.
std::string ArrayLiteral(const std::vector<std::string>& values);
// The same with nullopt written as an unquoted NULL element.
std::string NullableArrayLiteral(const std::vector<std::optional<std::string>>& values);

}  // namespace platform::pg
