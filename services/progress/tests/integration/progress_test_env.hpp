#pragma once
// Shared set-up of the progress integration tests: the local stack's PostgreSQL with one schema
// per test holding the progress migrations, the read model's store and use cases on a fixed
// clock, builders of the CloudEvents envelopes identity and tasks publish, and a JetStream
// stream of the test's own to publish them on.

#include <utility>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports.hpp"
#include "app/use_cases.hpp"
#include "domain/progress.hpp"
#include "infra/events/event_applier.hpp"
#include "infra/events/event_consumer.hpp"
#include "infra/pg/pg_progress_store.hpp"
#include "infra/pg/progress_rows.hpp"
#include "infra/zone/zone_cache.hpp"
#include "platform/bus/event_streams.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/bus/outbox.hpp"
#include "platform/json.hpp"
#include "platform/pg/connection.hpp"
#include "platform/pg/migrations.hpp"
#include "platform/pg/pool.hpp"
#include "platform/testing/run_sync.hpp"
#include "platform/testing/test_env.hpp"
#include "platform/time.hpp"
#include "platform/uuid.hpp"

namespace progress::migrations {
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedFiles();
}

namespace progress::itest {

using namespace std::chrono_literals;
namespace pg = platform::pg;

using domain::Time;
using platform::testenv::Eventually;
using platform::testenv::TestNatsUrl;
using platform::testenv::TestPgConninfo;
using platform::testenv::UniqueSuffix;
using platform::testing::RunSync;

// An instant given as a UTC calendar date and time of day: At(2026y / 3 / 11, 17h + 30min).
inline Time At(std::chrono::year_month_day date,
               std::chrono::milliseconds time_of_day = std::chrono::milliseconds(0)) {
  return Time{std::chrono::sys_days{date}} + time_of_day;
}

// RFC 3339 UTC with milliseconds, as every event writes instants.
inline std::string Rfc3339(Time t) { return platform::FormatTimestamp(t); }

// FixedClock: "now" is whatever the test says (safe to change while a consumer runs).
class FixedClock : public app::Clock {
 public:
  explicit FixedClock(Time now) : ms_(now.time_since_epoch().count()) {}
  Time Now() override { return Time(std::chrono::milliseconds(ms_.load())); }
  void Set(Time now) { ms_ = now.time_since_epoch().count(); }

 private:
  std::atomic<std::int64_t> ms_;
};

// TaskState: the data of a todo.task.* event (API.md's task plus owner_id), field by field.
struct TaskState {
  std::string id = platform::NewUuidV7();
  std::string owner_id;
  std::string title = "Tadarus juz 5";
  std::string description;
  std::string status = "todo";
  int progress = 0;
  std::string priority = "none";
  std::vector<std::string> labels;
  std::optional<Time> due_at, expires_at;
  std::string on_expire = "keep";
  std::optional<Time> completed_at, expired_at;
  Time created_at{};
  Time updated_at{};
  std::int64_t version = 1;
};

// UserState: the data of todo.user.created / updated (API.md's user).
struct UserState {
  std::string id = platform::NewUuidV7();
  std::string email = "siti@example.com";
  std::string name = "Siti";
  std::string timezone = "UTC";
  std::optional<std::int64_t> default_task_ttl_seconds;
  Time created_at{};
  Time updated_at{};
  std::int64_t version = 1;
};

// Event: one envelope, as the outbox relay publishes it (Nats-Msg-Id = id, subject = type).
struct Event {
  std::string id;
  std::string type;
  std::string payload;
};

namespace detail {

inline void TimeField(platform::JsonWriter& w, std::string_view key, const std::optional<Time>& t) {
  w.Key(key);
  if (t) {
    w.String(Rfc3339(*t));
  } else {
    w.Null();
  }
}

// The envelope the outbox writes (platform::bus::EventEnvelope), with a fresh UUIDv7 id.
inline Event Envelope(std::string type, std::string source, std::string subject,
                      std::int64_t version, std::string data, Time at,
                      std::string request_id = "") {
  platform::bus::EventDraft draft{type,    std::move(source), std::move(subject),
                                  version, std::move(data),   std::move(request_id)};
  Event event{platform::NewUuidV7(), std::move(type), {}};
  event.payload = platform::bus::EventEnvelope(draft, event.id, Rfc3339(at));
  return event;
}

}  // namespace detail

// The task's JSON as tasks' TaskEventJson writes it.
inline std::string TaskData(const TaskState& t) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("id", t.id);
  w.Field("owner_id", t.owner_id);
  w.Field("title", t.title);
  w.Field("description", t.description);
  w.Field("status", t.status);
  w.Field("progress", t.progress);
  w.Field("priority", t.priority);
  w.Key("labels");
  w.StartArray();
  for (const auto& label : t.labels) w.String(label);
  w.EndArray();
  w.Key("checklist");
  w.StartArray();
  w.EndArray();
  detail::TimeField(w, "due_at", t.due_at);
  detail::TimeField(w, "expires_at", t.expires_at);
  w.Field("on_expire", t.on_expire);
  detail::TimeField(w, "completed_at", t.completed_at);
  detail::TimeField(w, "expired_at", t.expired_at);
  detail::TimeField(w, "created_at", t.created_at);
  detail::TimeField(w, "updated_at", t.updated_at);
  w.Field("version", t.version);
  w.EndObject();
  return w.Take();
}

// todo.task.created / updated / completed / reopened / expired carrying the task's state.
inline Event TaskEvent(std::string_view kind, const TaskState& task, Time at) {
  return detail::Envelope("todo.task." + std::string(kind), "/tasks", task.id, task.version,
                          TaskData(task), at, kind == "expired" ? "" : platform::NewRequestId());
}

// todo.task.deleted: only what identifies the task, at `version` (one more than its last state).
inline Event TaskDeleted(const TaskState& task, std::int64_t version, Time at,
                         std::optional<std::string> reason = std::nullopt) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("id", task.id);
  w.Field("owner_id", task.owner_id);
  w.Field("version", version);
  w.Field("title", task.title);  // as tasks writes it (not for an owner's erasure)
  if (reason) w.Field("reason", *reason);
  w.EndObject();
  return detail::Envelope("todo.task.deleted", "/tasks", task.id, version, w.Take(), at,
                          reason ? "" : platform::NewRequestId());
}

// The user's JSON as identity's UserJson writes it.
inline std::string UserData(const UserState& u) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("id", u.id);
  w.Field("email", u.email);
  w.Field("name", u.name);
  w.Field("timezone", u.timezone);
  w.Field("default_task_ttl_seconds", u.default_task_ttl_seconds);
  w.Field("created_at", Rfc3339(u.created_at));
  w.Field("updated_at", Rfc3339(u.updated_at));
  w.Field("version", u.version);
  w.EndObject();
  return w.Take();
}

// todo.user.created / updated.
inline Event UserEvent(std::string_view kind, const UserState& user, Time at) {
  return detail::Envelope("todo.user." + std::string(kind), "/identity", user.id, user.version,
                          UserData(user), at, platform::NewRequestId());
}

// todo.user.deleted at `version` (one more than the user's last state).
inline Event UserDeleted(const std::string& user_id, std::int64_t version, Time at) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("id", user_id);
  w.Field("version", version);
  w.EndObject();
  return detail::Envelope("todo.user.deleted", "/identity", user_id, version, w.Take(), at,
                          platform::NewRequestId());
}

// Every number a summary shows, on one line: equal strings mean equal answers.
inline std::string Describe(const app::Summary& s) {
  std::ostringstream out;
  out.precision(12);
  const auto& a = s.aggregates;
  out << "todo=" << a.counts.todo << " in_progress=" << a.counts.in_progress
      << " done=" << a.counts.done << " expired=" << a.counts.expired
      << " avg=" << a.average_progress << " overdue=" << a.overdue
      << " expiring=" << a.expiring_within_24h << " completed_today=" << a.completed_today
      << " rate=" << s.completion_rate << " streak=" << s.streak_days;
  return out.str();
}

inline std::string Describe(const std::vector<domain::DayCounts>& buckets) {
  std::string out;
  for (const auto& b : buckets) {
    out += domain::FormatDay(b.date) + ":" + std::to_string(b.created) + "/" +
           std::to_string(b.completed) + "/" + std::to_string(b.expired) + " ";
  }
  return out;
}

inline std::string Describe(const std::vector<app::ActivityItem>& items) {
  std::string out;
  for (const auto& i : items) {
    out += std::to_string(i.seq) + " " + i.event_id + " " + std::string(domain::ToString(i.kind)) +
           " " + i.task_id + " " + i.title + " " + Rfc3339(i.at) + " " + i.task_json + "\n";
  }
  return out;
}

// ProgressDbTest: a schema of its own in todo_test, migrated like the service does at start-up,
// with the store and the use cases on a fixed clock and the tz database's zones.
class ProgressDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = "progress_it_" + UniqueSuffix();
    auto admin = pg::Connection::Open(TestPgConninfo());
    ASSERT_TRUE(admin.has_value()) << admin.error().message;
    admin_ = std::move(*admin);
    ASSERT_TRUE(admin_->ExecuteScript("SET client_min_messages = warning"));
    auto created = admin_->ExecuteScript("CREATE SCHEMA " + schema_);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    conninfo_ = ConninfoWith("");
    auto conn = pg::Connection::Open(conninfo_);
    ASSERT_TRUE(conn.has_value()) << conn.error().message;
    conn_ = std::move(*conn);
    auto applied =
        pg::Migrate(*conn_, "progress", pg::MigrationsFrom(progress::migrations::EmbeddedFiles()));
    ASSERT_TRUE(applied.has_value()) << applied.error().message;
    pool_ = std::make_unique<pg::Pool>(conninfo_, 2);
    store_ = std::make_unique<infra::PgProgressStore>(*pool_);
    deps_ = std::make_unique<app::ProgressDeps>(app::ProgressDeps{*store_, zones_, clock_});
  }

  void TearDown() override {
    deps_.reset();
    store_.reset();
    pool_.reset();
    conn_.reset();
    if (admin_) {
      auto dropped = admin_->ExecuteScript("DROP SCHEMA " + schema_ + " CASCADE");
      EXPECT_TRUE(dropped.has_value()) << dropped.error().message;
    }
  }

  // The schema's conninfo with more server settings ("-clock_timeout=100", say).
  std::string ConninfoWith(const std::string& extra_options) const {
    std::string options = "-csearch_path=" + schema_ + ",public";
    if (!extra_options.empty()) options += " " + extra_options;
    return TestPgConninfo() + " options='" + options + "'";
  }

  // Folds one event in as the consumer would, at the given stream sequence.
  void Apply(const Event& event, std::uint64_t seq) {
    auto applied = applier_.Apply(*conn_, event.payload, seq);
    ASSERT_TRUE(applied.has_value()) << event.type << ": " << applied.error().Message();
  }
  // The same at the next sequence of this test's imaginary stream.
  void Apply(const Event& event) { Apply(event, ++last_seq_); }

  std::string TimeZone(const std::string& user_id) {
    auto tz = RunSync(store_->TimeZone(user_id));
    if (!tz) throw std::runtime_error("time zone: " + tz.error().detail);
    return *tz;
  }
  app::Summary Summary(const std::string& user_id) {
    auto summary = RunSync(app::GetSummary(*deps_, user_id));
    if (!summary) throw std::runtime_error("summary: " + summary.error().detail);
    return *summary;
  }
  std::vector<domain::DayCounts> Daily(const std::string& user_id, int days) {
    auto daily = RunSync(app::GetDaily(*deps_, user_id, days));
    if (!daily) throw std::runtime_error("daily: " + daily.error().detail);
    return *daily;
  }
  app::ActivityPage ActivityPage(const std::string& user_id,
                                 std::optional<std::int64_t> before = std::nullopt,
                                 int limit = 100) {
    auto page = RunSync(app::GetActivity(*deps_, user_id, before, limit));
    if (!page) throw std::runtime_error("activity: " + page.error().detail);
    return *page;
  }
  // The whole feed, newest first, page by page.
  std::vector<app::ActivityItem> Activity(const std::string& user_id) {
    std::vector<app::ActivityItem> all;
    std::optional<std::int64_t> before;
    for (;;) {
      auto page = ActivityPage(user_id, before);
      all.insert(all.end(), page.items.begin(), page.items.end());
      if (!page.next_before) return all;
      before = page.next_before;
    }
  }

  // A count from ad-hoc SQL on the fixture's connection (each text prepared once per name).
  std::int64_t Count(std::string_view name, std::string_view sql, const pg::Params& params = {}) {
    auto rows = conn_->Execute(pg::Query{name, sql}, params);
    if (!rows) throw std::runtime_error(std::string(sql) + ": " + rows.error().message);
    return rows->Int(0, 0);
  }

  std::string schema_;
  std::string conninfo_;
  std::unique_ptr<pg::Connection> admin_;
  std::unique_ptr<pg::Connection> conn_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<infra::PgProgressStore> store_;
  infra::ZoneCache zones_;
  FixedClock clock_{At(std::chrono::year{2026} / 3 / 11, 12h)};
  std::unique_ptr<app::ProgressDeps> deps_;
  infra::EventApplier applier_;
  std::uint64_t last_seq_ = 0;
};

// TestStream: a JetStream stream of the test's own (unique name, subjects "<prefix>.todo.>"),
// deleted at the end. Events are published under "<prefix>.<type>": the envelope's type, not
// the subject, decides how the consumer applies them.
class TestStream {
 public:
  TestStream() : suffix_(UniqueSuffix()), name_("PROGRESS_IT_" + suffix_), prefix_("p" + suffix_) {
    auto js = platform::bus::JetStream::Connect(TestNatsUrl(), "progress-itest");
    if (!js) throw std::runtime_error("cannot reach NATS: " + js.error().detail);
    js_ = std::move(*js);
    auto ensured = js_->EnsureStream({name_, {prefix_ + ".todo.>"}, std::chrono::seconds(120)});
    if (!ensured) throw std::runtime_error("stream: " + ensured.error().detail);
  }
  ~TestStream() {
    if (js_) (void)js_->DeleteStream(name_);
  }
  TestStream(const TestStream&) = delete;
  TestStream& operator=(const TestStream&) = delete;

  // Publishes with Nats-Msg-Id = the event id (or `msg_id`: the same event again, stored anew).
  std::uint64_t Publish(const Event& event, std::optional<std::string> msg_id = std::nullopt) {
    auto ack = js_->Publish(prefix_ + "." + event.type, event.payload, msg_id.value_or(event.id));
    if (!ack) throw std::runtime_error("publish: " + ack.error().detail);
    if (ack->duplicate) throw std::runtime_error("publish: dropped as a duplicate");
    return ack->sequence;
  }
  // In order, acknowledgements awaited together (as the outbox relay publishes).
  void PublishAll(const std::vector<Event>& events) {
    std::vector<platform::bus::OutgoingMessage> batch;
    batch.reserve(events.size());
    for (const auto& e : events) batch.push_back({prefix_ + "." + e.type, e.payload, e.id});
    auto published = js_->PublishBatch(batch, std::chrono::seconds(10));
    if (!published) throw std::runtime_error("publish batch: " + published.error().detail);
  }

  // A consumer's options on this stream: a durable unique to the test, every todo.* subject.
  infra::ConsumerOptions Options(const std::string& durable = "progress", int max_deliver = 5) {
    infra::ConsumerOptions options;
    options.stream = name_;
    options.durable = durable + "_" + suffix_;
    options.filter = prefix_ + ".todo.>";
    options.max_deliver = max_deliver;
    return options;
  }

  platform::bus::JetStream& Js() { return *js_; }
  const std::string& Prefix() const { return prefix_; }
  const std::string& Name() const { return name_; }

 private:
  std::string suffix_;
  std::string name_;
  std::string prefix_;
  std::unique_ptr<platform::bus::JetStream> js_;
};

// TestStateStream: a compacted stream of the test's own (MaxMsgsPerSubject 1, subjects
// "<prefix>.state.>") that keeps the newest event of each entity, as the relay writes
// TODO_STATE; deleted at the end.
class TestStateStream {
 public:
  explicit TestStateStream(TestStream& history)
      : js_(history.Js()),
        name_("PROGRESS_STATE_IT_" + UniqueSuffix()),
        prefix_(history.Prefix() + ".state") {
    platform::bus::StreamSpec spec{name_, {prefix_ + ".>"}, std::chrono::seconds(120)};
    spec.max_msgs_per_subject = 1;
    auto ensured = js_.EnsureStream(spec);
    if (!ensured) throw std::runtime_error("state stream: " + ensured.error().detail);
  }
  ~TestStateStream() { (void)js_.DeleteStream(name_); }
  TestStateStream(const TestStateStream&) = delete;
  TestStateStream& operator=(const TestStateStream&) = delete;

  // Publishes what the relay would: the event under state.<kind>.<entity> when its kind keeps
  // state (the entity is the envelope's subject).
  void Publish(const Event& event) {
    rapidjson::Document doc;
    doc.Parse(event.payload.c_str());
    auto subject = platform::bus::StateSubject(prefix_, event.type, doc["subject"].GetString());
    if (!subject) return;
    auto ack = js_.Publish(*subject, event.payload, event.id);
    if (!ack) throw std::runtime_error("state publish: " + ack.error().detail);
  }

  const std::string& Name() const { return name_; }
  std::string Filter() const { return prefix_ + ".>"; }

 private:
  platform::bus::JetStream& js_;
  std::string name_;
  std::string prefix_;
};

// Whether a consumer has applied at least `n` events and sees nothing left in the stream.
inline bool CaughtUp(const infra::EventConsumer& consumer, std::int64_t n) {
  return consumer.Pending() == 0 && consumer.Applied() >= n;
}

}  // namespace progress::itest
