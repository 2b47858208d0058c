#include "domain/task_checks.hpp"

#include <algorithm>
#include <utility>

#include "domain/text.hpp"
#include "platform/time.hpp"

namespace tasks::domain::detail {
namespace {

constexpr TextRules kTitleRules{1, kMaxTitleChars, false};
constexpr TextRules kDescriptionRules{0, kMaxDescriptionChars, true};
constexpr TextRules kLabelRules{1, kMaxLabelChars, false};
constexpr TextRules kChecklistTextRules{1, kMaxChecklistTextChars, false};

std::optional<std::string> CheckTrimmed(std::string_view raw, const TextRules& rules,
                                        std::string field, FieldErrors& errors) {
  // Validity is judged on the raw bytes: trimming must not hide a broken sequence.
  if (!DecodeUtf8(raw)) {
    errors.Add(std::move(field), "must be valid UTF-8");
    return std::nullopt;
  }
  const std::string_view trimmed = TrimAsciiSpace(raw);
  if (auto problem = CheckText(trimmed, rules)) {
    errors.Add(std::move(field), std::move(*problem));
    return std::nullopt;
  }
  return std::string(trimmed);
}

}  // namespace

void FieldErrors::Add(std::string field, std::string message) {
  errors_.push_back({std::move(field), std::move(message)});
}

platform::Error FieldErrors::ToError(std::string_view what) const {
  std::string detail = std::string(what) + ": ";
  for (std::size_t i = 0; i < errors_.size(); ++i) {
    if (i > 0) detail += "; ";
    detail += errors_[i].field + " " + errors_[i].message;
  }
  return platform::Error::Validation(std::move(detail), errors_);
}

std::optional<std::string> CheckTitle(std::string_view raw, FieldErrors& errors) {
  return CheckTrimmed(raw, kTitleRules, "title", errors);
}

std::optional<std::string> CheckDescription(std::string_view raw, FieldErrors& errors) {
  // Not trimmed: leading indentation and trailing line breaks can be meaningful in notes.
  if (auto problem = CheckText(raw, kDescriptionRules)) {
    errors.Add("description", std::move(*problem));
    return std::nullopt;
  }
  return std::string(raw);
}

std::optional<std::string> CheckChecklistText(std::string_view raw, std::string field,
                                              FieldErrors& errors) {
  return CheckTrimmed(raw, kChecklistTextRules, std::move(field), errors);
}

std::optional<std::vector<std::string>> CheckLabels(const std::vector<std::string>& raw,
                                                    FieldErrors& errors) {
  bool ok = true;
  if (raw.size() > kMaxLabels) {
    errors.Add("labels", "must have at most " + std::to_string(kMaxLabels) + " labels");
    ok = false;
  }
  std::vector<std::string> labels;
  labels.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string field = "labels[" + std::to_string(i) + "]";
    auto label = CheckTrimmed(raw[i], kLabelRules, field, errors);
    if (!label) {
      ok = false;
      continue;
    }
    // Compared after trimming and case-sensitively, as the `label` list filter matches.
    if (std::ranges::find(labels, *label) != labels.end()) {
      errors.Add(field, "duplicates an earlier label");
      ok = false;
      continue;
    }
    labels.push_back(std::move(*label));
  }
  if (!ok) return std::nullopt;
  return labels;
}

std::optional<Priority> CheckPriority(std::string_view raw, FieldErrors& errors) {
  auto priority = ParsePriority(raw);
  if (!priority) errors.Add("priority", "must be one of none, low, medium, high, urgent");
  return priority;
}

std::optional<OnExpire> CheckOnExpire(std::string_view raw, FieldErrors& errors) {
  auto on_expire = ParseOnExpire(raw);
  if (!on_expire) errors.Add("on_expire", "must be one of keep, delete");
  return on_expire;
}

std::optional<int> CheckProgress(std::int64_t raw, FieldErrors& errors) {
  if (raw < 0 || raw > 100) {
    errors.Add("progress", "must be between 0 and 100");
    return std::nullopt;
  }
  return static_cast<int>(raw);
}

std::optional<Time> CheckTtl(std::int64_t seconds, Time now, FieldErrors& errors) {
  // Range first: it also keeps now + seconds far from overflow.
  if (seconds < kMinTtlSeconds || seconds > kMaxTtlSeconds) {
    errors.Add("ttl_seconds", "must be between " + std::to_string(kMinTtlSeconds) + " and " +
                                  std::to_string(kMaxTtlSeconds) + " seconds (366 days)");
    return std::nullopt;
  }
  auto expires_at = platform::AddSeconds(now, seconds);
  if (!expires_at) errors.Add("ttl_seconds", "must not reach past the year 9999");
  return expires_at;
}

std::optional<Time> CheckExpiresAt(Time expires_at, Time now, FieldErrors& errors) {
  if (expires_at <= now) {
    errors.Add("expires_at", "must be in the future");
    return std::nullopt;
  }
  return expires_at;
}

void AddBothExpiryFormsError(FieldErrors& errors) {
  errors.Add("expires_at", "must not be given together with ttl_seconds");
  errors.Add("ttl_seconds", "must not be given together with expires_at");
}

platform::Error ExpiredConflict() {
  return platform::Error::Conflict(
      "an expired task only accepts a new expiry in the future, or deletion");
}

void SettleStatus(Task& task, Time now) {
  const Status target = StatusForProgress(task.progress);
  if (target == Status::kDone) {
    if (task.status != Status::kDone || !task.completed_at) task.completed_at = now;
  } else {
    task.completed_at.reset();
  }
  task.status = target;
}

void Touch(Task& task, Time now) {
  task.version += 1;
  task.updated_at = now;
}

}  // namespace tasks::domain::detail
