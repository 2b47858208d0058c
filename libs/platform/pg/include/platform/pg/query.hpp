#pragma once
// Query: one named SQL statement; Param(s): its text-format parameters.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platform::pg {

// Query: one SQL statement with a stable name (used for prepared statements and logs).
struct Query {
  std::string_view name;
  std::string_view sql;
};

// Param: a text-format parameter; nullopt is SQL NULL.
using Param = std::optional<std::string>;
using Params = std::vector<Param>;

}  // namespace platform::pg
