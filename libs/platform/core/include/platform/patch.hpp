#pragma once
// Patch: one field of a partial update (JSON merge patch): absent, explicit null, or a value.

#include <optional>

namespace platform {

// Absent (leave as is), present with nullopt (clear it), or present with a value (set it).
template <typename T>
struct Patch {
  bool present = false;
  std::optional<T> value;  // nullopt with present == true means an explicit null
};

}  // namespace platform
