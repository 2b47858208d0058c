// The list statements' plans over 100,000 tasks of one owner: keyset pagination must read a
// page, not the owner's whole set (EXPLAIN ANALYZE of the very Query constants the service runs).

#include <iostream>

#include "infra/pg/pg_task_repository.hpp"
#include "infra/pg/queries.hpp"
#include "platform/pg/pool.hpp"
#include "tasks_test_env.hpp"

namespace tasks::itest {
namespace {

namespace q = infra::queries;

constexpr int kTasks = 100'000;
constexpr int kLimit = 50;

struct PlanFacts {
  double top_rows = -1;
  bool seq_scan_on_tasks = false;
  bool sort = false;
  double rows_removed = 0;  // by filters, over all nodes
  std::string shape;        // node types, nested
};

void Walk(const rapidjson::Value& node, PlanFacts& facts, int depth) {
  std::string type = node["Node Type"].GetString();
  std::string relation = node.HasMember("Relation Name") ? node["Relation Name"].GetString() : "";
  std::string index = node.HasMember("Index Name") ? node["Index Name"].GetString() : "";
  if (type == "Seq Scan" && relation == "tasks") facts.seq_scan_on_tasks = true;
  if (type == "Sort" || type == "Incremental Sort") facts.sort = true;
  for (const char* key : {"Rows Removed by Filter", "Rows Removed by Index Recheck"}) {
    if (node.HasMember(key)) facts.rows_removed += node[key].GetDouble();
  }
  facts.shape += std::string(static_cast<std::size_t>(depth) * 2, ' ') + type;
  if (!index.empty()) facts.shape += " using " + index;
  facts.shape += " (actual rows " + std::to_string(node["Actual Rows"].GetInt64()) + ")\n";
  if (node.HasMember("Plans")) {
    for (const auto& child : node["Plans"].GetArray()) Walk(child, facts, depth + 1);
  }
}

class ExplainTest : public TasksDbTest {
 protected:
  void SetUp() override {
    TasksDbTest::SetUp();
    if (HasFatalFailure()) return;
    owner_ = platform::NewUuidV7();
    auto start = SteadyClock::now();
    // One statement: times spread over the past, a quarter without due date, a tenth expiring.
    Sql("INSERT INTO tasks (id, owner_id, title, description, status, progress, priority, "
        "priority_rank, labels, checklist, due_at, expires_at, on_expire, created_at, "
        "updated_at, version) "
        "SELECT gen_random_uuid(), $1::uuid, 'task ' || i, '', 'todo', 0, "
        "(ARRAY['none','low','medium','high','urgent'])[i % 5 + 1], i % 5, "
        "CASE WHEN i % 7 = 0 THEN ARRAY['seven'] ELSE '{}' END, '[]', "
        "CASE WHEN i % 4 = 0 THEN NULL ELSE now() + i * interval '1 minute' END, "
        "CASE WHEN i % 10 = 0 THEN now() + interval '30 days' + i * interval '1 second' END, "
        "'keep', now() - i * interval '1 second', now() - (i * 7919 % 100000) * interval '1 ms', "
        "1 FROM generate_series(1, " +
            std::to_string(kTasks) + ") i",
        {owner_});
    // Other owners, so the owner_id condition matters too.
    Sql("INSERT INTO tasks (id, owner_id, title, status, progress, priority, priority_rank, "
        "created_at, updated_at, version) SELECT gen_random_uuid(), gen_random_uuid(), 'other', "
        "'todo', 0, 'none', 0, now(), now(), 1 FROM generate_series(1, 5000)");
    ASSERT_TRUE(conn_->ExecuteScript("ANALYZE tasks; ANALYZE task_search"));
    std::cout
        << "inserted " << kTasks << " tasks in "
        << std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count()
        << " ms\n";
  }

  pg::Params ListParams(const std::optional<app::Cursor>& after = std::nullopt) {
    pg::Params params(12);
    params[0] = owner_;
    if (after) {
      params[9] = after->key;
      params[10] = after->id;
    }
    params[11] = std::to_string(kLimit + 1);
    return params;
  }

  PlanFacts Explain(const pg::Query& query, const pg::Params& params, bool print) {
    return ExplainSql(query.name, "EXPLAIN (ANALYZE, FORMAT JSON) " + std::string(query.sql),
                      params, print);
  }

  PlanFacts ExplainSql(std::string_view name, const std::string& sql, const pg::Params& params,
                       bool print) {
    auto rows = Sql(sql, params);
    if (print) std::cout << "EXPLAIN " << name << ":\n" << rows.Text(0, 0) << "\n";
    auto plan = ParseJson(rows.Text(0, 0));
    PlanFacts facts;
    const auto& top = plan[0]["Plan"];
    facts.top_rows = top["Actual Rows"].GetDouble();
    Walk(top, facts, 0);
    std::cout << name << ": " << plan[0]["Execution Time"].GetDouble() << " ms, rows removed "
              << facts.rows_removed << "\n"
              << facts.shape;
    return facts;
  }

  // The cursor after the page that starts `pages` pages in (walked through the repository).
  std::optional<app::Cursor> CursorAfterPages(app::SortKey key, bool descending, int pages) {
    pg::Pool pool(Conninfo(), 1);
    infra::PgTaskRepository repo(pool);
    app::ListQuery query;
    query.owner_id = owner_;
    query.sort = key;
    query.descending = descending;
    query.limit = kLimit;
    for (int i = 0; i < pages; ++i) {
      auto page = RunSync(repo.List(query));
      EXPECT_TRUE(page.has_value());
      if (!page || !page->next) return std::nullopt;
      query.after = page->next;
    }
    return query.after;
  }

  std::string owner_;
};

struct Listing {
  const pg::Query* query;
  app::SortKey key;
  bool descending;
};

const Listing kListings[] = {
    {&q::kListCreatedDesc, app::SortKey::kCreatedAt, true},
    {&q::kListCreatedAsc, app::SortKey::kCreatedAt, false},
    {&q::kListUpdatedDesc, app::SortKey::kUpdatedAt, true},
    {&q::kListUpdatedAsc, app::SortKey::kUpdatedAt, false},
    {&q::kListDueDesc, app::SortKey::kDueAt, true},
    {&q::kListDueAsc, app::SortKey::kDueAt, false},
    {&q::kListExpiresDesc, app::SortKey::kExpiresAt, true},
    {&q::kListExpiresAsc, app::SortKey::kExpiresAt, false},
    {&q::kListPriorityDesc, app::SortKey::kPriority, true},
    {&q::kListPriorityAsc, app::SortKey::kPriority, false},
};

TEST_F(ExplainTest, ListPagesReadOnlyAPageOfOneHundredThousandTasks) {
  for (const auto& listing : kListings) {
    SCOPED_TRACE(std::string(listing.query->name));
    bool print = listing.query == &q::kListCreatedDesc;
    auto first = Explain(*listing.query, ListParams(), print);
    EXPECT_LE(first.top_rows, kLimit + 1);
    EXPECT_FALSE(first.seq_scan_on_tasks);
    EXPECT_FALSE(first.sort) << "the index order should serve ORDER BY";
    EXPECT_LE(first.rows_removed, kLimit) << "filters discard rows instead of index bounds";
    // A page deep into the listing (keyset, not offset): still one page of work.
    auto cursor = CursorAfterPages(listing.key, listing.descending, 3);
    ASSERT_TRUE(cursor.has_value());
    auto deep = Explain(*listing.query, ListParams(cursor), print);
    EXPECT_LE(deep.top_rows, kLimit + 1);
    EXPECT_FALSE(deep.seq_scan_on_tasks);
    EXPECT_FALSE(deep.sort);
  }
}

// What a prepared statement may switch to after five executions: the generic plan, where
// "$11 IS NULL OR (key, id) < cursor" cannot become an index bound. Reported, not asserted
// beyond the basics, so the numbers can be quoted.
TEST_F(ExplainTest, GenericPlanOfAPageFarIntoTheListing) {
  // The cursor of a page after 90 % of the owner's tasks, newest first.
  auto rows =
      Sql("SELECT floor(extract(epoch FROM created_at) * 1000)::bigint::text, id::text FROM tasks "
          "WHERE owner_id = $1 ORDER BY created_at DESC, id DESC OFFSET 90000 LIMIT 1",
          {owner_});
  app::Cursor cursor{rows.Text(0, 0), rows.Text(0, 1)};
  // Prepare the statement on this session as the repository does, then force its generic plan
  // and explain an EXECUTE of it (EXECUTE takes no bind parameters: our own uuids and numbers
  // are spelled as literals).
  auto warmed = conn_->Execute(q::kListCreatedDesc, ListParams(cursor));
  ASSERT_TRUE(warmed.has_value()) << warmed.error().message;
  ASSERT_TRUE(conn_->ExecuteScript("SET plan_cache_mode = force_generic_plan"));
  auto facts =
      ExplainSql("generic " + std::string(q::kListCreatedDesc.name),
                 "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE " + std::string(q::kListCreatedDesc.name) +
                     "('" + owner_ + "', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '" +
                     cursor.key + "', '" + cursor.id + "', " + std::to_string(kLimit + 1) + ")",
                 {}, true);
  EXPECT_LE(facts.top_rows, kLimit + 1);
  EXPECT_FALSE(facts.seq_scan_on_tasks);
  std::cout << "generic plan, page after 90,000 rows: rows removed by filters = "
            << facts.rows_removed << "\n";
}

}  // namespace
}  // namespace tasks::itest
