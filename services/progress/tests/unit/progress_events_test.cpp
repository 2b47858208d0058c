// How the progress service reads the events it consumes (infra/events/progress_events.hpp).
#include "infra/events/progress_events.hpp"

#include <gtest/gtest.h>

namespace progress::infra {
namespace {

constexpr std::string_view kCreated =
    R"({"specversion":"1.0","id":"e1","type":"todo.task.created","time":"2026-03-11T12:00:00.000Z",)"
    R"("entityversion":3,"data":{"id":"t1","owner_id":"u1","title":"Tadarus","status":"done",)"
    R"("progress":100,"due_at":null,"completed_at":"2026-03-11T12:00:00.000Z"}})";

TEST(ProgressEventsTest, TaskEventIsReadIntoItsChange) {
  auto event = ReadEvent(kCreated);
  ASSERT_TRUE(event.has_value()) << event.error().Message();
  const auto* change = std::get_if<TaskChange>(&*event);
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->kind, domain::EventKind::kCreated);
  EXPECT_EQ(change->event_id, "e1");
  EXPECT_EQ(change->at, "2026-03-11T12:00:00.000Z");
  EXPECT_EQ(change->task_id, "t1");
  EXPECT_EQ(change->owner_id, "u1");
  EXPECT_EQ(change->version, 3);
  ASSERT_TRUE(change->state.has_value());
  EXPECT_EQ(change->state->title, "Tadarus");
  EXPECT_EQ(change->state->status, "done");
  EXPECT_EQ(change->state->progress, 100);
  EXPECT_FALSE(change->state->due_at.has_value());
  EXPECT_EQ(change->state->completed_at, "2026-03-11T12:00:00.000Z");
  EXPECT_NE(change->state->json.find("\"title\":\"Tadarus\""), std::string::npos);
}

TEST(ProgressEventsTest, DeletionCarriesNoState) {
  auto event =
      ReadEvent(R"({"id":"e2","type":"todo.task.deleted","time":"2026-03-11T12:00:00.000Z",)"
                R"("entityversion":4,"data":{"id":"t1","owner_id":"u1"}})");
  ASSERT_TRUE(event.has_value()) << event.error().Message();
  const auto* change = std::get_if<TaskChange>(&*event);
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->kind, domain::EventKind::kDeleted);
  EXPECT_FALSE(change->state.has_value());
}

TEST(ProgressEventsTest, UserEventsAreReadByTheirType) {
  auto profile = ReadEvent(R"({"type":"todo.user.updated","entityversion":2,)"
                           R"("data":{"id":"u1","timezone":"Asia/Jakarta"}})");
  ASSERT_TRUE(profile.has_value());
  const auto* user = std::get_if<UserChange>(&*profile);
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->kind, UserChange::Kind::kProfile);
  EXPECT_EQ(user->timezone, "Asia/Jakarta");
  EXPECT_EQ(user->version, 2);

  auto deleted = ReadEvent(R"({"type":"todo.user.deleted","entityversion":5,"data":{"id":"u1"}})");
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(std::get<UserChange>(*deleted).kind, UserChange::Kind::kDeleted);

  auto other = ReadEvent(R"({"type":"todo.user.renamed","entityversion":5,"data":{"id":"u1"}})");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(std::get<UserChange>(*other).kind, UserChange::Kind::kOther);
}

TEST(ProgressEventsTest, OtherTypesAreIgnored) {
  auto event = ReadEvent(R"({"type":"todo.task.archived","entityversion":1,"data":{}})");
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(std::holds_alternative<IgnoredEvent>(*event));
}

TEST(ProgressEventsTest, MalformedEventsAreANamedError) {
  for (std::string_view payload : {
           std::string_view("{not json"),
           std::string_view(R"({"type":"todo.task.created","entityversion":1})"),
           std::string_view(R"({"type":"todo.task.created","data":{}})"),
           std::string_view(R"({"id":"e","type":"todo.task.created","time":"t",)"
                            R"("entityversion":1,"data":{"id":"t1"}})"),
           std::string_view(R"({"id":"e","type":"todo.task.updated","time":"t",)"
                            R"("entityversion":1,"data":{"id":"t1","owner_id":"u1"}})"),
           std::string_view(
               R"({"type":"todo.user.created","entityversion":"1","data":{"id":"u"}})"),
       }) {
    auto event = ReadEvent(payload);
    ASSERT_FALSE(event.has_value()) << payload;
    EXPECT_TRUE(event.error().Message().starts_with("malformed event: ")) << payload;
  }
}

}  // namespace
}  // namespace progress::infra
