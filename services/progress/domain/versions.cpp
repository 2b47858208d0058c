// Version ordering: the bus delivers at least once and not always in order, so an event only
// applies when it is newer than what the read model already holds.
#include "domain/progress.hpp"

namespace progress::domain {

bool Supersedes(std::int64_t incoming, std::optional<std::int64_t> stored) {
  return !stored.has_value() || incoming > *stored;
}

}  // namespace progress::domain
