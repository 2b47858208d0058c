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

TEST(ProgressEventsTest, TaskEventsNameTheirListAndActor) {
  auto event = ReadEvent(
      R"({"id":"e3","type":"todo.task.updated","time":"2026-03-11T12:00:00.000Z",)"
      R"("entityversion":2,"data":{"id":"t1","owner_id":"u1","list_id":"l1","actor_id":"u2",)"
      R"("assignee_id":null,"created_by":"u1","updated_by":"u2","title":"T","status":"todo",)"
      R"("progress":0}})");
  ASSERT_TRUE(event.has_value()) << event.error().Message();
  const auto& change = std::get<TaskChange>(*event);
  EXPECT_EQ(change.list_id, "l1");
  EXPECT_EQ(change.actor_id, "u2");

  auto expired = ReadEvent(
      R"({"id":"e4","type":"todo.task.expired","time":"2026-03-11T12:00:00.000Z",)"
      R"("entityversion":3,"data":{"id":"t1","owner_id":"u1","list_id":"l1","actor_id":null,)"
      R"("title":"T","status":"expired","progress":0}})");
  ASSERT_TRUE(expired.has_value()) << expired.error().Message();
  EXPECT_EQ(std::get<TaskChange>(*expired).actor_id, std::nullopt);

  auto deleted = ReadEvent(
      R"({"id":"e5","type":"todo.task.deleted","time":"2026-03-11T12:00:00.000Z",)"
      R"("entityversion":4,"data":{"id":"t1","owner_id":"u1","list_id":"l1","actor_id":"u2",)"
      R"("reason":"list_deleted"}})");
  ASSERT_TRUE(deleted.has_value()) << deleted.error().Message();
  EXPECT_EQ(std::get<TaskChange>(*deleted).list_id, "l1");
  EXPECT_EQ(std::get<TaskChange>(*deleted).actor_id, "u2");
}

TEST(ProgressEventsTest, TaskEventsFromBeforeListsHaveNoListAndTheirOwnerAsActor) {
  auto event = ReadEvent(kCreated);
  ASSERT_TRUE(event.has_value());
  const auto& change = std::get<TaskChange>(*event);
  EXPECT_EQ(change.list_id, std::nullopt);
  EXPECT_EQ(change.actor_id, "u1");

  auto expired = ReadEvent(
      R"({"id":"e6","type":"todo.task.expired","time":"2026-03-11T12:00:00.000Z",)"
      R"("entityversion":3,"data":{"id":"t1","owner_id":"u1","title":"T","status":"expired",)"
      R"("progress":0}})");
  ASSERT_TRUE(expired.has_value());
  EXPECT_EQ(std::get<TaskChange>(*expired).actor_id, std::nullopt);
}

TEST(ProgressEventsTest, UserProfilesCarryTheName) {
  auto profile = ReadEvent(R"({"type":"todo.user.created","entityversion":1,)"
                           R"("data":{"id":"u1","name":"Siti","email":"siti@example.com"}})");
  ASSERT_TRUE(profile.has_value());
  EXPECT_EQ(std::get<UserChange>(*profile).name, "Siti");
}

TEST(ProgressEventsTest, ListStateIsReadWithEveryMemberTheOwnerFirst) {
  auto event = ReadEvent(
      R"({"type":"todo.list.updated","entityversion":4,"data":{"id":"l1","owner_id":"o",)"
      R"("name":"Ramadhan","color":null,"inbox":false,"members":[)"
      R"({"user_id":"a","role":"editor","added_at":"2026-03-11T12:00:00.000Z"},)"
      R"({"user_id":"o","role":"owner","added_at":"2026-03-11T12:00:00.000Z"}],)"
      R"("version":4,"actor_id":"o"}})");
  ASSERT_TRUE(event.has_value()) << event.error().Message();
  const auto* list = std::get_if<ListChange>(&*event);
  ASSERT_NE(list, nullptr);
  EXPECT_FALSE(list->deleted);
  EXPECT_EQ(list->list_id, "l1");
  EXPECT_EQ(list->owner_id, "o");
  EXPECT_FALSE(list->inbox);
  EXPECT_EQ(list->version, 4);
  ASSERT_EQ(list->members.size(), 2u);
  EXPECT_EQ(list->members[0].user_id, "o");
  EXPECT_EQ(list->members[1].user_id, "a");
  EXPECT_EQ(list->members[1].role, "editor");

  auto inbox = ReadEvent(R"({"type":"todo.list.created","entityversion":1,"data":{"id":"l2",)"
                         R"("owner_id":"o","inbox":true,"members":[]}})");
  ASSERT_TRUE(inbox.has_value()) << inbox.error().Message();
  EXPECT_TRUE(std::get<ListChange>(*inbox).inbox);
  ASSERT_EQ(std::get<ListChange>(*inbox).members.size(), 1u) << "the owner, always";
}

TEST(ProgressEventsTest, ListDeletionCarriesNoMembers) {
  auto event = ReadEvent(R"({"type":"todo.list.deleted","entityversion":5,)"
                         R"("data":{"id":"l1","owner_id":"o","version":5}})");
  ASSERT_TRUE(event.has_value()) << event.error().Message();
  const auto& list = std::get<ListChange>(*event);
  EXPECT_TRUE(list.deleted);
  EXPECT_EQ(list.version, 5);
  EXPECT_TRUE(list.members.empty());
}

TEST(ProgressEventsTest, MalformedListEventsAreANamedError) {
  for (std::string_view payload : {
           std::string_view(R"({"type":"todo.list.created","entityversion":1,"data":{"id":"l"}})"),
           std::string_view(R"({"type":"todo.list.updated","entityversion":1,)"
                            R"("data":{"id":"l","owner_id":"o"}})"),
           std::string_view(R"({"type":"todo.list.updated","entityversion":1,)"
                            R"("data":{"id":"l","owner_id":"o","members":[{"role":"viewer"}]}})"),
       }) {
    auto event = ReadEvent(payload);
    ASSERT_FALSE(event.has_value()) << payload;
    EXPECT_TRUE(event.error().Message().starts_with("malformed event: ")) << payload;
  }
  auto other = ReadEvent(R"({"type":"todo.list.archived","entityversion":1,)"
                         R"("data":{"id":"l","owner_id":"o"}})");
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(std::holds_alternative<IgnoredEvent>(*other));
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
