// q over 20,000 tasks of one owner beside other people's: a q without a match reads a few index
// pages and no task under every sort (EXPLAIN of the very statements the service runs); a q of
// 1-2 characters (no trigram) reads the owner's tasks, as documented; matching q lists the same
// tasks in the same order, page by page, as a plain filter would.

#include <iostream>
#include <set>

#include "infra/pg/pg_task_repository.hpp"
#include "infra/pg/queries.hpp"
#include "platform/pg/pool.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

namespace q = infra::queries;

constexpr int kTasks = 20'000;
constexpr int kLimit = 50;
// What the owner-and-trigram index reads for a q without a match: its entry tree for the owner
// and each trigram, and the pending list (at most 16 pages, see 009_search_text_table.sql). The
// plan before it read the owner's 20,000 tasks in list order: over 20 times this.
constexpr double kMaxBuffers = 60;

struct Reading {
  double returned = -1;
  double rows_read = 0;  // fetched from tasks: returned by the scans plus removed by their filters
  double buffers = 0;    // shared, hit or read
  std::string shape;
};

void Walk(const rapidjson::Value& node, Reading& reading, int depth) {
  std::string relation = node.HasMember("Relation Name") ? node["Relation Name"].GetString() : "";
  if (relation == "tasks") {
    double rows = node["Actual Rows"].GetDouble();
    for (const char* key : {"Rows Removed by Filter", "Rows Removed by Index Recheck"}) {
      if (node.HasMember(key)) rows += node[key].GetDouble();
    }
    reading.rows_read += rows * node["Actual Loops"].GetDouble();
  }
  reading.shape +=
      std::string(static_cast<std::size_t>(depth) * 2, ' ') + node["Node Type"].GetString();
  if (node.HasMember("Index Name"))
    reading.shape += std::string(" using ") + node["Index Name"].GetString();
  reading.shape += "\n";
  if (node.HasMember("Plans")) {
    for (const auto& child : node["Plans"].GetArray()) Walk(child, reading, depth + 1);
  }
}

// The ORDER BY of each sort without the index tricks, for the expected order.
struct Listing {
  const pg::Query* query;
  app::SortKey key;
  bool descending;
  const char* order_by;
};

const Listing kListings[] = {
    {&q::kListCreatedDesc, app::SortKey::kCreatedAt, true, "created_at DESC, id DESC"},
    {&q::kListCreatedAsc, app::SortKey::kCreatedAt, false, "created_at, id"},
    {&q::kListUpdatedDesc, app::SortKey::kUpdatedAt, true, "updated_at DESC, id DESC"},
    {&q::kListUpdatedAsc, app::SortKey::kUpdatedAt, false, "updated_at, id"},
    {&q::kListDueDesc, app::SortKey::kDueAt, true, "COALESCE(due_at, 'infinity') DESC, id DESC"},
    {&q::kListDueAsc, app::SortKey::kDueAt, false, "COALESCE(due_at, 'infinity'), id"},
    {&q::kListExpiresDesc, app::SortKey::kExpiresAt, true,
     "COALESCE(expires_at, 'infinity') DESC, id DESC"},
    {&q::kListExpiresAsc, app::SortKey::kExpiresAt, false, "COALESCE(expires_at, 'infinity'), id"},
    {&q::kListPriorityDesc, app::SortKey::kPriority, true, "priority_rank DESC, id DESC"},
    {&q::kListPriorityAsc, app::SortKey::kPriority, false, "priority_rank, id"},
};

class SearchTest : public TasksDbTest {
 protected:
  void SetUp() override {
    TasksDbTest::SetUp();
    if (HasFatalFailure()) return;
    owner_ = platform::NewUuidV7();
    // One statement: every 200th title has "Fern", every 3rd task a description, times (in
    // whole milliseconds, as the service writes them) and statuses spread, ties of created_at
    // in threes, a quarter without due date.
    Sql("INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, "
        "priority_rank, due_at, expires_at, created_at, updated_at, version) "
        "SELECT gen_random_uuid(), $1::uuid, 'water the plants ' || i || "
        "CASE WHEN i % 200 = 0 THEN ' Fern' ELSE '' END, "
        "CASE WHEN i % 3 = 0 THEN 'notes on the garden ' || i % 97 ELSE '' END, "
        "(ARRAY['todo','in_progress','done','expired'])[i % 4 + 1], 0, "
        "(ARRAY['none','low','medium','high','urgent'])[i % 5 + 1], i % 5, "
        "CASE WHEN i % 4 = 0 THEN NULL ELSE t0 + (i % 500) * interval '1 minute' END, "
        "CASE WHEN i % 10 = 0 THEN t0 + interval '30 days' + i * interval '1 second' END, "
        "t0 - (i / 3) * interval '1 second', t0 - (i * 7919 % 20000) * interval '1 ms', 1 "
        "FROM (SELECT date_trunc('milliseconds', now()) AS t0) base, generate_series(1, " +
            std::to_string(kTasks) + ") i",
        {owner_});
    // Other people's tasks, with a word the owner never uses: it matches nothing of the owner's,
    // though the table holds it 2,000 times.
    Sql("INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, "
        "priority_rank, created_at, updated_at, version) SELECT gen_random_uuid(), "
        "gen_random_uuid(), 'run errands ' || i, 'errands', 'todo', 0, 'none', 0, now(), now(), 1 "
        "FROM generate_series(1, 2000) i");
    ASSERT_TRUE(conn_->ExecuteScript("ANALYZE tasks; ANALYZE task_search"));
    // As the service's pool does (services/tasks/main.cpp).
    ASSERT_TRUE(conn_->ExecuteScript("SET plan_cache_mode = force_custom_plan"));
  }

  static std::string Pattern(std::string_view text) {  // as PgTaskRepository::List builds it
    std::string pattern = "%";
    for (char c : text) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    return pattern + "%";
  }

  Reading Explain(const pg::Query& query, std::string_view text) {
    pg::Params params(12);
    params[0] = owner_;
    params[4] = Pattern(text);
    params[11] = std::to_string(kLimit + 1);
    auto rows = Sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + std::string(query.sql), params);
    auto plan = ParseJson(rows.Text(0, 0));
    const auto& top = plan[0]["Plan"];
    Reading reading;
    reading.returned = top["Actual Rows"].GetDouble();
    reading.buffers = top["Shared Hit Blocks"].GetDouble() + top["Shared Read Blocks"].GetDouble();
    Walk(top, reading, 0);
    std::cout << query.name << " q=" << text << ": " << plan[0]["Execution Time"].GetDouble()
              << " ms, rows read " << reading.rows_read << ", buffers " << reading.buffers << "\n"
              << reading.shape;
    return reading;
  }

  // Every id the repository lists for q, walking all pages.
  std::vector<std::string> ListAll(const Listing& listing, std::string text,
                                   std::vector<domain::Status> statuses = {}) {
    pg::Pool pool(Conninfo(), 1, "SET plan_cache_mode = force_custom_plan");  // as the service
    infra::PgTaskRepository repo(pool);
    app::ListQuery query;
    query.owner_id = owner_;
    query.sort = listing.key;
    query.descending = listing.descending;
    query.text = std::move(text);
    query.statuses = std::move(statuses);
    query.limit = 20;
    std::vector<std::string> ids;
    for (;;) {
      auto page = RunSync(repo.List(query));
      EXPECT_TRUE(page.has_value()) << page.error().detail;
      if (!page) return ids;
      for (const auto& task : page->items) ids.push_back(task.id);
      if (!page->next) return ids;
      query.after = page->next;
    }
  }

  // The same list by a plain filter and ORDER BY (no index, no cursor).
  std::vector<std::string> Expected(const Listing& listing, std::string_view text,
                                    const std::string& status_filter = "") {
    auto rows =
        Sql("SELECT id::text FROM tasks WHERE owner_id = $1 AND "
            "(title || ' ' || description) ILIKE $2 ESCAPE '\\' " +
                status_filter + " ORDER BY " + listing.order_by,
            {owner_, Pattern(text)});
    std::vector<std::string> ids;
    for (int i = 0; i < rows.Size(); ++i) ids.push_back(rows.Text(i, 0));
    return ids;
  }

  std::string owner_;
};

TEST_F(SearchTest, AQWithoutAMatchReadsAFewIndexPagesAndNoTaskUnderEverySort) {
  // A word of other people's tasks, a word nobody has, and q of exactly 3 characters (the
  // shortest with a trigram).
  for (const char* text : {"errands", "zqxj", "rrx"}) {
    for (const auto& listing : kListings) {
      SCOPED_TRACE(std::string(listing.query->name) + " q=" + text);
      auto reading = Explain(*listing.query, text);
      EXPECT_EQ(reading.returned, 0);
      EXPECT_EQ(reading.rows_read, 0) << reading.shape;
      EXPECT_LE(reading.buffers, kMaxBuffers) << reading.shape;
    }
  }
}

// The documented cost of q below 3 characters: no trigram to look up, so the owner's tasks are
// read (the listing's order finds common matches early; a q without a match reads them all).
TEST_F(SearchTest, AQOfTwoCharactersHasNoTrigramAndReadsTheOwnersTasks) {
  auto reading = Explain(q::kListCreatedDesc, "zq");
  EXPECT_EQ(reading.returned, 0);
  EXPECT_GE(reading.rows_read, kTasks);
  EXPECT_GT(reading.buffers, kMaxBuffers);
}

TEST_F(SearchTest, AMatchingQListsTheSameTasksInTheSameOrderPageByPage) {
  for (const auto& listing : kListings) {
    // Rare (100 tasks, in capitals), in the description (about 750), and short (no trigram).
    for (const char* text : {"FERN", "garden 4", "fe"}) {
      SCOPED_TRACE(std::string(listing.query->name) + " q=" + text);
      auto expected = Expected(listing, text);
      ASSERT_FALSE(expected.empty());
      EXPECT_EQ(ListAll(listing, text), expected);
    }
    SCOPED_TRACE(std::string(listing.query->name) + " q=fern, status todo");
    auto expected = Expected(listing, "fern", "AND status = 'todo'");
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(ListAll(listing, "fern", {domain::Status::kTodo}), expected);
  }
}

// task_search (migration 009) follows every write of a task's text, and only those: a rename is
// found by its new words and no longer by its old ones, an update that leaves the text alone
// (the expiry scheduler's) does not touch its row, and deletions take their rows with them.
TEST_F(SearchTest, TheSearchTextFollowsRenamesAndDeletesAndNothingElse) {
  const auto& listing = kListings[0];
  auto in_step = [&] {
    return Count(
        "SELECT count(*) FROM tasks t FULL JOIN task_search s ON s.task_id = t.id "
        "WHERE s.task_id IS NULL OR t.id IS NULL OR s.owner_id <> t.owner_id "
        "OR s.text <> t.title || ' ' || t.description");
  };
  EXPECT_EQ(Count("SELECT count(*) FROM task_search"), Count("SELECT count(*) FROM tasks"));
  EXPECT_EQ(in_step(), 0);

  auto fern = ListAll(listing, "Fern");
  ASSERT_EQ(fern.size(), kTasks / 200);
  const std::string& renamed = fern.front();
  Sql("UPDATE tasks SET title = 'repot the cactus', version = version + 1 WHERE id = $1",
      {renamed});
  EXPECT_EQ(ListAll(listing, "cactus"), std::vector<std::string>{renamed});
  EXPECT_EQ(ListAll(listing, "Fern").size(), fern.size() - 1);

  auto before = Sql("SELECT xmin::text FROM task_search WHERE task_id = $1", {renamed});
  Sql("UPDATE tasks SET status = 'expired', expired_at = now(), updated_at = now(), "
      "version = version + 1 WHERE id = $1",
      {renamed});
  EXPECT_EQ(Sql("SELECT xmin::text FROM task_search WHERE task_id = $1", {renamed}).Text(0, 0),
            before.Text(0, 0));

  Sql("DELETE FROM tasks WHERE id = $1", {renamed});
  EXPECT_TRUE(ListAll(listing, "cactus").empty());
  Sql("DELETE FROM tasks WHERE owner_id <> $1", {owner_});
  EXPECT_EQ(Count("SELECT count(*) FROM task_search"), kTasks - 1);
  EXPECT_EQ(in_step(), 0);
}

}  // namespace
}  // namespace tasks::itest
