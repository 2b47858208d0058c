#include <gtest/gtest.h>

#include <string>

#include "domain/progress.hpp"

namespace progress::domain {
namespace {

TEST(ParseTaskEventTypeTest, MapsEveryTaskEventType) {
  EXPECT_EQ(ParseTaskEventType("todo.task.created"), EventKind::kCreated);
  EXPECT_EQ(ParseTaskEventType("todo.task.updated"), EventKind::kUpdated);
  EXPECT_EQ(ParseTaskEventType("todo.task.completed"), EventKind::kCompleted);
  EXPECT_EQ(ParseTaskEventType("todo.task.reopened"), EventKind::kReopened);
  EXPECT_EQ(ParseTaskEventType("todo.task.expired"), EventKind::kExpired);
  EXPECT_EQ(ParseTaskEventType("todo.task.deleted"), EventKind::kDeleted);
}

TEST(ParseTaskEventTypeTest, RefusesAnythingElse) {
  for (const char* type :
       {"", "todo.task.", "created", "task.created", "todo.user.created", "todo.task.Created",
        "TODO.TASK.CREATED", "todo.task.created ", " todo.task.created", "todo.task.created.v2",
        "todo.task.createdx", "todo.tasks.created", "xtodo.task.created", "todo.task.archived"}) {
    EXPECT_EQ(ParseTaskEventType(type), std::nullopt) << '"' << type << '"';
  }
}

TEST(EventKindToStringTest, IsTheLastPartOfTheEventType) {
  for (EventKind kind : {EventKind::kCreated, EventKind::kUpdated, EventKind::kCompleted,
                         EventKind::kReopened, EventKind::kExpired, EventKind::kDeleted}) {
    const std::string type = "todo.task." + std::string(ToString(kind));
    EXPECT_EQ(ParseTaskEventType(type), kind) << type;
  }
  EXPECT_EQ(ToString(EventKind::kCompleted), "completed");
}

}  // namespace
}  // namespace progress::domain
