#pragma once
// Field checks and state steps shared by the task rules (create, patch, checklist). Internal
// to the domain: the app layer calls the functions of task.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/task.hpp"
#include "platform/error.hpp"

namespace tasks::domain::detail {

// FieldErrors: collects every problem of a body so the client sees them all in one answer.
class FieldErrors {
 public:
  void Add(std::string field, std::string message);
  [[nodiscard]] bool Empty() const { return errors_.empty(); }
  // An Error::Validation whose detail names each problem ("title must not be empty; ...").
  [[nodiscard]] platform::Error ToError(std::string_view what) const;

 private:
  std::vector<platform::FieldError> errors_;
};

// Each check returns the value to store (trimmed where the field is trimmed), or nullopt
// after adding its problems to `errors` under `field`.
std::optional<std::string> CheckTitle(std::string_view raw, FieldErrors& errors);
std::optional<std::string> CheckDescription(std::string_view raw, FieldErrors& errors);
std::optional<std::string> CheckChecklistText(std::string_view raw, std::string field,
                                              FieldErrors& errors);
std::optional<std::vector<std::string>> CheckLabels(const std::vector<std::string>& raw,
                                                    FieldErrors& errors);
std::optional<Priority> CheckPriority(std::string_view raw, FieldErrors& errors);
std::optional<OnExpire> CheckOnExpire(std::string_view raw, FieldErrors& errors);
std::optional<int> CheckProgress(std::int64_t raw, FieldErrors& errors);
// expires_at from a ttl_seconds given at `now`.
std::optional<Time> CheckTtl(std::int64_t seconds, Time now, FieldErrors& errors);
std::optional<Time> CheckExpiresAt(Time expires_at, Time now, FieldErrors& errors);
// Both expiry forms given: one error on each field, so either can be dropped.
void AddBothExpiryFormsError(FieldErrors& errors);

// The Conflict every change but a new future expiry gets on an expired task.
platform::Error ExpiredConflict();

// Moves a task that is not expired to the status its progress implies, keeping the
// invariant done <=> completed_at (a task already done keeps its completed_at).
void SettleStatus(Task& task, Time now);
// Records an accepted change: version + 1, updated_at = now.
void Touch(Task& task, Time now);

}  // namespace tasks::domain::detail
