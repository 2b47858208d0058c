#pragma once
// Shared fixtures of the task domain tests: fixed times, drafts, and error inspection.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "domain/task.hpp"

namespace tasks::domain::test_support {

// A fixed "now" so expiry arithmetic is exact.
inline constexpr Time kNow{std::chrono::milliseconds(1'770'000'000'000)};

inline Time After(std::chrono::milliseconds delta) { return kNow + delta; }

inline CreateContext Context() {
  CreateContext context;
  context.id = "task-1";
  context.owner_id = "user-1";
  context.now = kNow;
  for (int i = 0; i < 101; ++i) context.checklist_ids.push_back("item-" + std::to_string(i));
  return context;
}

inline TaskDraft Draft(std::string title = "Tadarus juz 5") {
  TaskDraft draft;
  draft.title = std::move(title);
  return draft;
}

// A valid task built through CreateTask, so tests start from reachable states only.
inline Task Created(TaskDraft draft = Draft()) {
  auto task = CreateTask(draft, Context());
  EXPECT_TRUE(task.has_value()) << task.error().detail;
  return *task;
}

inline Task WithChecklist(std::vector<NewChecklistItem> items) {
  TaskDraft draft = Draft();
  draft.checklist = std::move(items);
  return Created(std::move(draft));
}

// A task the sweeper has expired (created with a 60 s TTL, expired a minute later).
inline Task ExpiredTask(TaskDraft draft = Draft()) {
  draft.ttl_seconds = 60;
  Task task = Created(std::move(draft));
  Task expired = Expire(task, After(std::chrono::seconds(60)));
  EXPECT_EQ(expired.status, Status::kExpired);
  return expired;
}

// `count` times `unit` (a UTF-8 sequence of one code point).
inline std::string Repeat(std::string_view unit, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += unit;
  return out;
}

inline std::vector<std::string> FieldsOf(const platform::Error& error) {
  std::vector<std::string> fields;
  fields.reserve(error.errors.size());
  for (const auto& field_error : error.errors) fields.push_back(field_error.field);
  return fields;
}

// Asserts a validation error that names exactly `fields`, in order.
template <typename T>
void ExpectInvalid(const platform::Result<T>& result, std::vector<std::string> fields) {
  ASSERT_FALSE(result.has_value()) << "accepted";
  EXPECT_EQ(result.error().kind, platform::ErrorKind::kValidation);
  EXPECT_EQ(FieldsOf(result.error()), fields) << result.error().detail;
}

template <typename T>
void ExpectKind(const platform::Result<T>& result, platform::ErrorKind kind) {
  ASSERT_FALSE(result.has_value()) << "accepted";
  EXPECT_EQ(result.error().kind, kind) << result.error().detail;
}

}  // namespace tasks::domain::test_support
