#pragma once
// OutboxTest: the fixture of the outbox and relay tests, with its own schema (so its own outbox
// table, via search_path) and its own streams against the local PostgreSQL and nats-server.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/bus/consumer.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/pg/connection.hpp"
#include "platform/pg/migrations.hpp"
#include "platform/testing/test_env.hpp"
#include "platform/time.hpp"
#include "platform/uuid.hpp"

namespace platform::bus {

using namespace std::chrono_literals;

constexpr pg::Query kRowSent{"test_outbox_row_sent",
                             "SELECT sent_at IS NOT NULL FROM outbox WHERE event_id = $1"};
constexpr pg::Query kRowCount{"test_outbox_row_count",
                              "SELECT count(*) FROM outbox WHERE event_id = $1"};
constexpr pg::Query kAllRows{"test_outbox_all_rows",
                             "SELECT event_id, subject, payload FROM outbox ORDER BY id"};

struct OutboxRow {
  std::string event_id;
  std::string subject;
  std::string payload;
};

// Each test gets its own schema (so its own outbox table, via search_path) and its own stream.
// RunOnce publishes every pending row of the table it sees, so sharing todo_test's outbox with
// other tests would let their rows (whose subjects no stream of ours captures) block ours.
class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suffix_ = testenv::UniqueSuffix();
    schema_ = "outbox_test_" + suffix_;
    auto admin = pg::Connection::Open(testenv::TestPgConninfo());
    ASSERT_TRUE(admin) << admin.error().message;
    admin_ = std::move(*admin);
    ASSERT_TRUE(admin_->ExecuteScript("CREATE SCHEMA " + schema_));
    conninfo_ = testenv::TestPgConninfo() + " options=-csearch_path=" + schema_;
    conn_ = Open();
    ASSERT_TRUE(conn_);
    auto migrated = pg::Migrate(*conn_, "outbox_test", OutboxMigrations());
    ASSERT_TRUE(migrated) << migrated.error().message;

    auto js = JetStream::Connect(testenv::TestNatsUrl(), "outbox-test");
    ASSERT_TRUE(js) << js.error().detail;
    js_ = std::move(*js);
    stream_ = "TEST_" + suffix_;
    prefix_ = "test" + suffix_;
    ASSERT_TRUE(js_->EnsureStream({stream_, {prefix_ + ".>"}, std::chrono::seconds(120)}));
    state_stream_ = "STATE_" + suffix_;
    state_prefix_ = "state" + suffix_;
    ASSERT_TRUE(js_->EnsureStream(
        {.name = state_stream_, .subjects = {state_prefix_ + ".>"}, .max_msgs_per_subject = 1}));
    auto consumer = PullConsumer::Create(*js_, stream_, "reader", prefix_ + ".>");
    ASSERT_TRUE(consumer) << consumer.error().detail;
    consumer_ = std::move(*consumer);
  }

  void TearDown() override {
    consumer_.reset();
    if (js_) {
      EXPECT_TRUE(js_->DeleteStream(stream_));
      EXPECT_TRUE(js_->DeleteStream(state_stream_));
    }
    conn_.reset();
    if (admin_) {
      EXPECT_TRUE(admin_->ExecuteScript("SET client_min_messages = warning"));  // no CASCADE notice
      EXPECT_TRUE(admin_->ExecuteScript("DROP SCHEMA " + schema_ + " CASCADE"));
    }
  }

  // The relay's options with this test's state stream (the default one is shared).
  OutboxRelayOptions Options() const {
    OutboxRelayOptions options;
    options.state_stream = state_stream_;
    options.state_prefix = state_prefix_;
    return options;
  }

  std::unique_ptr<pg::Connection> Open() {
    auto conn = pg::Connection::Open(conninfo_);
    EXPECT_TRUE(conn) << conn.error().message;
    return conn ? std::move(*conn) : nullptr;
  }

  EventDraft Draft(std::string entity, std::int64_t version) {
    return EventDraft{prefix_ + ".task.updated",    "/tasks", std::move(entity), version,
                      R"({"title":"write tests"})", "req-1"};
  }

  // Enqueues one event in its own committed transaction.
  std::string EnqueueCommitted(const EventDraft& draft) {
    auto id = conn_->Transaction(
        [&](pg::Connection& tx) -> pg::DbResult<std::string> { return EnqueueEvent(tx, draft); });
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : std::string();
  }

  std::vector<OutboxRow> AllRows() {
    std::vector<OutboxRow> out;
    auto rows = conn_->Execute(kAllRows);
    EXPECT_TRUE(rows) << rows.error().message;
    if (!rows) return out;
    for (int i = 0; i < rows->Size(); ++i) {
      out.push_back({rows->Text(i, 0), rows->Text(i, 1), rows->Text(i, 2)});
    }
    return out;
  }

  // Drafts whose text is hard on an array literal: quotes, backslashes (also next to a
  // quote), commas, braces, empty strings and non-ASCII text, then plain ones for length.
  std::vector<EventDraft> AwkwardDrafts(int plain) {
    std::vector<EventDraft> drafts{
        {prefix_ + ".task.updated", "/tasks", "task-1", 1,
         R"({"title":"say \"hi\", then {leave}","path":"C:\\temp\\new"})", "req-1"},
        {prefix_ + ".task.deleted", "/tasks", "task,2", 7,
         R"({"title":"Grüße aus Köln — 日本語 ✓","tags":["a,b","{c}",""]})", ""},
        {prefix_ + ".task.created", "/tasks", "{task-3}", 2,
         R"({"note":"NULL","tail":"\\\"","empty":""})", R"(req "3" \ x)"},
    };
    for (int i = 0; i < plain; ++i) {
      drafts.push_back(Draft("task-" + std::to_string(100 + i), i));
    }
    return drafts;
  }

  bool RowSent(const std::string& event_id) {
    auto rows = conn_->Execute(kRowSent, {event_id});
    return rows && rows->Size() == 1 && rows->Bool(0, 0);
  }

  // Every message until the stream has nothing more within the timeout, acked, as msg ids.
  std::vector<std::string> FetchAllIds(std::chrono::milliseconds quiet = 1s) {
    std::vector<std::string> ids;
    for (;;) {
      auto messages = consumer_->Fetch(100, quiet);
      EXPECT_TRUE(messages) << messages.error().detail;
      if (!messages || messages->empty()) return ids;
      for (auto& m : *messages) {
        ids.push_back(m.MsgId());
        EXPECT_TRUE(m.Ack());
      }
    }
  }

  // Fetches until a message with this id arrives or the deadline passes.
  bool AwaitEvent(const std::string& event_id, std::chrono::milliseconds within) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      auto messages = consumer_->Fetch(10, 200ms);
      if (!messages) return false;
      for (auto& m : *messages) {
        EXPECT_TRUE(m.Ack());
        if (m.MsgId() == event_id) return true;
      }
    }
    return false;
  }

  std::string suffix_;
  std::string schema_;
  std::string conninfo_;
  std::string stream_;
  std::string prefix_;
  std::string state_stream_;
  std::string state_prefix_;
  std::unique_ptr<pg::Connection> admin_;
  std::unique_ptr<pg::Connection> conn_;
  std::unique_ptr<JetStream> js_;
  std::unique_ptr<PullConsumer> consumer_;
};

}  // namespace platform::bus
