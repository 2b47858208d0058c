// Rows read by column name (infra/pg/task_row): a row that is not a stored task (a column
// missing, NULL where a value must be, text that is not a number, bad labels or checklist JSON,
// an unknown status) is a malformed-row DbError naming the column, never a crash; the
// repository and the expiry scheduler pass it on and change nothing.

#include <map>

#include "infra/pg/pg_task_repository.hpp"
#include "infra/pg/task_row.hpp"
#include "infra/scheduler/expiry_scheduler.hpp"
#include "platform/pg/pool.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

// The columns of find_task.sql, as SQL literals of a valid task.
const std::vector<std::pair<std::string, std::string>> kValidRow = {
    {"id", "'0190f5a0-0000-7000-8000-000000000001'"},
    {"owner_id", "'0190f5a0-0000-7000-8000-000000000002'"},
    {"title", "'Murajaah'"},
    {"description", "''"},
    {"status", "'todo'"},
    {"progress", "0"},
    {"priority", "'none'"},
    {"labels", R"('["quran"]')"},
    {"checklist", R"('[{"id": "a", "text": "juz 1", "done": true}]')"},
    {"due_at_ms", "NULL::bigint"},
    {"expires_at_ms", "NULL::bigint"},
    {"on_expire", "'keep'"},
    {"completed_at_ms", "NULL::bigint"},
    {"expired_at_ms", "NULL::bigint"},
    {"created_at_ms", "1700000000000"},
    {"updated_at_ms", "1700000000123"},
    {"version", "3"},
};

class TaskRowTest : public TasksDbTest {
 protected:
  // A SELECT of kValidRow with `changed` columns replaced (an empty literal leaves one out).
  pg::DbResult<domain::Task> Read(const std::map<std::string, std::string>& changed = {}) {
    std::string sql = "SELECT ";
    bool first = true;
    for (const auto& [column, literal] : kValidRow) {
      auto it = changed.find(column);
      const std::string& value = it == changed.end() ? literal : it->second;
      if (value.empty()) continue;
      if (!first) sql += ", ";
      first = false;
      sql += value;
      sql += " AS ";
      sql += column;
    }
    rows_.push_back(Sql(sql));
    return infra::ReadTask(rows_.back().At(0));
  }

  void ExpectMalformed(const std::map<std::string, std::string>& changed,
                       const std::string& column) {
    auto task = Read(changed);
    ASSERT_FALSE(task.has_value()) << "column " << column;
    EXPECT_TRUE(task.error().IsMalformedRow()) << task.error().message;
    EXPECT_NE(task.error().message.find("column " + column), std::string::npos)
        << task.error().message;
  }

  std::vector<pg::Rows> rows_;
};

TEST_F(TaskRowTest, AValidRowIsReadByColumnName) {
  auto task = Read();
  ASSERT_TRUE(task.has_value()) << task.error().message;
  EXPECT_EQ(task->title, "Murajaah");
  EXPECT_EQ(task->status, domain::Status::kTodo);
  EXPECT_EQ(task->labels, std::vector<std::string>{"quran"});
  ASSERT_EQ(task->checklist.size(), 1U);
  EXPECT_TRUE(task->checklist[0].done);
  EXPECT_FALSE(task->due_at.has_value());
  EXPECT_EQ(task->created_at.time_since_epoch().count(), 1700000000000);
  EXPECT_EQ(task->updated_at.time_since_epoch().count(), 1700000000123);
  EXPECT_EQ(task->version, 3);
}

TEST_F(TaskRowTest, NullWhereAValueMustBeIsAMalformedRow) {
  ExpectMalformed({{"title", "NULL::text"}}, "title");
  ExpectMalformed({{"created_at_ms", "NULL::bigint"}}, "created_at_ms");
  ExpectMalformed({{"version", "NULL::bigint"}}, "version");
}

TEST_F(TaskRowTest, AMissingColumnIsAMalformedRow) {
  ExpectMalformed({{"updated_at_ms", ""}}, "updated_at_ms");
  ExpectMalformed({{"id", ""}}, "id");
}

TEST_F(TaskRowTest, TextThatIsNotANumberIsAMalformedRow) {
  ExpectMalformed({{"version", "'three'"}}, "version");
  ExpectMalformed({{"due_at_ms", "'soon'"}}, "due_at_ms");
}

TEST_F(TaskRowTest, BadLabelsOrChecklistJsonIsAMalformedRow) {
  ExpectMalformed({{"labels", R"('["quran"')"}}, "labels");
  ExpectMalformed({{"labels", "'[1]'"}}, "labels");
  ExpectMalformed({{"checklist", "'{}'"}}, "checklist");
  ExpectMalformed({{"checklist", R"('[{"id": 1, "text": "juz 1"}]')"}}, "checklist");
}

TEST_F(TaskRowTest, AnUnknownNameIsAMalformedRow) {
  ExpectMalformed({{"status", "'archived'"}}, "status");
  ExpectMalformed({{"priority", "'someday'"}}, "priority");
  ExpectMalformed({{"on_expire", "'vanish'"}}, "on_expire");
}

// A stored checklist the reader cannot read: the repository's Find fails (an internal error,
// logged), and the expiry scheduler's batch fails and rolls back, leaving the task as it was.
TEST_F(TaskRowTest, AStoredMalformedTaskFailsItsReadersWithoutChangingIt) {
  pg::Pool pool(Conninfo(), 2);
  infra::PgTaskRepository repo(pool);
  domain::Task task = MakeTask(platform::NewUuidV7());
  task.expires_at = Now() - std::chrono::seconds(1);
  ASSERT_TRUE(RunSync(repo.Insert(task, "req")).has_value());
  Sql("UPDATE tasks SET checklist = '[{\"text\": 5}]' WHERE id = $1", {task.id});

  auto found = RunSync(repo.Find(task.owner_id, task.id));
  EXPECT_FALSE(found.has_value());

  infra::ExpiryScheduler scheduler(Conninfo());
  auto expired = scheduler.RunOnce(*conn_);
  ASSERT_FALSE(expired.has_value());
  EXPECT_TRUE(expired.error().IsMalformedRow()) << expired.error().message;
  EXPECT_EQ(Count("SELECT count(*) FROM tasks WHERE id = $1 AND status = 'todo'", {task.id}), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE subject = 'todo.task.expired'"), 0);
}

}  // namespace
}  // namespace tasks::itest
