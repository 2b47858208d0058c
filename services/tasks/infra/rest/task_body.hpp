#pragma once
// Reading task request bodies: JSON types and unknown fields here, task rules in the domain.

#include <string_view>

#include "domain/task.hpp"
#include "platform/error.hpp"

namespace tasks::infra {

platform::Result<domain::TaskDraft> ParseTaskDraft(std::string_view body);
platform::Result<domain::TaskPatch> ParseTaskPatch(std::string_view body);

}  // namespace tasks::infra
