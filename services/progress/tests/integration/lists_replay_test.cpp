// A rebuild with lists: a history of shared lists (members added, removed and deleted, tasks
// moved, changed by members and the scheduler, a list deleted with its tasks, an account
// deleted, events from before lists) applied by EventConsumer; then the read model dropped,
// the state stream folded (memberships included) and history replayed. Every answer, for every
// person and every list, is the same before and after.

#include <map>

#include "infra/events/state_replay.hpp"
#include "sharing_support.hpp"

namespace progress::itest {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

// SharedHistory: the events of four people sharing lists over a few days, in order.
struct SharedHistory {
  std::vector<Event> events;
  std::vector<std::string> people;
  std::vector<std::string> lists;
};

SharedHistory BuildHistory(Time start) {
  SharedHistory h;
  Time at = start;
  auto next = [&at] { return at += minutes(37); };
  auto siti = NamedUser("Siti", at), budi = NamedUser("Budi", at), dewi = NamedUser("Dewi", at),
       eko = NamedUser("Eko", at);
  siti.timezone = "Asia/Jakarta";
  for (const auto* u : {&siti, &budi, &dewi, &eko}) {
    h.events.push_back(UserEvent("created", *u, at));
    h.people.push_back(u->id);
  }
  // Before lists: a task of Siti's in no list, changed and expired.
  TaskState old;
  old.owner_id = siti.id;
  old.created_at = next();
  old.updated_at = old.created_at;
  h.events.push_back(TaskEvent("created", old, old.created_at));
  ++old.version;
  old.progress = 40;
  old.status = "in_progress";
  h.events.push_back(TaskEvent("updated", old, next()));

  std::vector<ListState> inboxes;
  for (const auto* u : {&siti, &budi, &dewi, &eko}) {
    inboxes.push_back(NewList(u->id, next(), {}, true));
    h.events.push_back(ListEvent("created", inboxes.back(), at));
  }
  auto family = NewList(siti.id, next(), {{budi.id, "editor"}, {dewi.id, "viewer"}});
  h.events.push_back(ListEvent("created", family, at));
  auto work = NewList(budi.id, next(), {{siti.id, "viewer"}});
  h.events.push_back(ListEvent("created", work, at));
  h.lists = {inboxes[0].id, inboxes[1].id, inboxes[2].id, inboxes[3].id, family.id, work.id};

  // The old task moves into the family list.
  old = ChangedBy(old, siti.id, next());
  old.list_id = family.id;
  h.events.push_back(TaskEvent("updated", old, at));
  for (int day = 0; day < 4; ++day) {
    auto a = ListTask(family, day % 2 == 0 ? siti.id : budi.id, next(), "family " + std::to_string(day));
    h.events.push_back(TaskEvent("created", a, at));
    auto done = CompletedBy(a, budi.id, next());
    h.events.push_back(TaskEvent("completed", done, at));
    auto b = ListTask(work, budi.id, next(), "work " + std::to_string(day));
    b.expires_at = at + hours(3);
    h.events.push_back(TaskEvent("created", b, at));
    auto expired = ChangedBy(b, std::nullopt, *b.expires_at);
    expired.status = "expired";
    expired.expired_at = b.expires_at;
    h.events.push_back(TaskEvent("expired", expired, *b.expires_at));
    auto mine = ListTask(inboxes[2], dewi.id, next(), "dewi " + std::to_string(day));
    h.events.push_back(TaskEvent("created", mine, at));
    at += hours(20);
  }
  // Dewi leaves the family list; Eko joins it; Budi is renamed.
  family = WithMembers(family, {{budi.id, "editor"}, {eko.id, "viewer"}}, next());
  h.events.push_back(ListEvent("updated", family, at));
  auto after = ListTask(family, siti.id, next(), "after Dewi left");
  h.events.push_back(TaskEvent("created", after, at));
  ++budi.version;
  budi.name = "Budi S.";
  h.events.push_back(UserEvent("updated", budi, next()));
  // The work list is deleted with its task.
  auto last = ListTask(work, budi.id, next(), "last work");
  h.events.push_back(TaskEvent("created", last, at));
  auto gone = ChangedBy(last, budi.id, next());
  h.events.push_back(TaskDeleted(gone, gone.version, at, "list_deleted"));
  h.events.push_back(ListDeleted(work, work.version + 1, at));
  // Eko deletes his account: removed from the family list, his inbox deleted, forgotten.
  family = WithMembers(family, {{budi.id, "editor"}}, next());
  h.events.push_back(ListEvent("updated", family, at));
  h.events.push_back(ListDeleted(inboxes[3], inboxes[3].version + 1, at));
  h.events.push_back(UserDeleted(eko.id, eko.version + 1, next()));
  return h;
}

class ListsReplayTest : public ProgressDbTest {
 protected:
  void SetUp() override {
    ProgressDbTest::SetUp();
    stream_ = std::make_unique<TestStream>();
    history_ = BuildHistory(clock_.Now() - days(5));
    clock_.Set(clock_.Now() + hours(1));
  }
  void TearDown() override {
    consumers_.clear();
    stream_.reset();
    ProgressDbTest::TearDown();
  }

  infra::EventConsumer& StartConsumer() {
    consumers_.push_back(
        std::make_unique<infra::EventConsumer>(conninfo_, stream_->Js(), stream_->Options()));
    consumers_.back()->Start();
    return *consumers_.back();
  }
  void AwaitCaughtUp(const infra::EventConsumer& consumer) {
    auto n = static_cast<std::int64_t>(history_.events.size());
    ASSERT_TRUE(Eventually([&] { return CaughtUp(consumer, n); }, 30s))
        << "applied " << consumer.Applied() << " of " << n;
  }

  // What a person is told about a list: its counts, or that it is not found.
  std::string ListCounts(const std::string& user, const std::string& list) {
    auto summary = RunSync(app::GetSummary(*deps_, user, list));
    if (!summary) return "error " + summary.error().detail;
    const auto& c = summary->aggregates.counts;
    return std::to_string(c.todo) + "/" + std::to_string(c.in_progress) + "/" +
           std::to_string(c.done) + "/" + std::to_string(c.expired);
  }
  // Every answer that comes from task states and memberships alone.
  std::map<std::string, std::string> States() {
    std::map<std::string, std::string> out;
    for (const auto& user : history_.people) {
      const auto& c = Summary(user).aggregates.counts;
      out[user] = std::to_string(c.todo) + "/" + std::to_string(c.in_progress) + "/" +
                  std::to_string(c.done) + "/" + std::to_string(c.expired);
      for (const auto& list : history_.lists) out[user + " " + list] = ListCounts(user, list);
    }
    return out;
  }
  // Every answer.
  std::map<std::string, std::string> Answers() {
    auto out = States();
    for (const auto& user : history_.people) {
      out[user + " tz"] = TimeZone(user);
      out[user + " summary"] = Describe(Summary(user));
      out[user + " daily"] = Describe(Daily(user, 7));
      out[user + " activity"] = Describe(Activity(user));
      auto since = RunSync(store_->ActivitySince(user, 0, 1000));
      out[user + " since"] = since ? Describe(*since) : "error";
      out[user + " latest"] = std::to_string(RunSync(store_->LatestSeq(user)).value_or(-1));
      for (const auto& list : history_.lists) {
        auto daily = RunSync(app::GetDaily(*deps_, user, 7, list));
        out[user + " daily " + list] = daily ? Describe(*daily) : "not found";
      }
    }
    return out;
  }

  std::unique_ptr<TestStream> stream_;
  std::vector<std::unique_ptr<infra::EventConsumer>> consumers_;
  SharedHistory history_;
};

TEST_F(ListsReplayTest, ARebuildFromTheStateStreamAndHistoryGivesTheSameAnswers) {
  TestStateStream states(*stream_);
  for (const auto& e : history_.events) states.Publish(e);
  stream_->PublishAll(history_.events);
  auto& first = StartConsumer();
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(first));
  first.Stop();
  auto before = Answers();
  // The history is what it claims: sharing shows, and ends.
  const auto& siti = history_.people[0];
  const auto& budi = history_.people[1];
  const auto& dewi = history_.people[2];
  const auto& family = history_.lists[4];
  EXPECT_EQ(before.at(budi + " " + family), "1/1/4/0") << "Siti's list (the task moved in too)";
  EXPECT_EQ(before.at(siti + " " + family), before.at(budi + " " + family));
  EXPECT_TRUE(before.at(dewi + " " + family).starts_with("error")) << "Dewi left";
  EXPECT_TRUE(before.at(siti + " " + history_.lists[5]).starts_with("error")) << "deleted";
  EXPECT_NE(before.at(siti + " activity").find("(Budi S.)"), std::string::npos);

  auto dropped = infra::DropReadModel(conninfo_, stream_->Js(), stream_->Options());
  ASSERT_TRUE(dropped.has_value()) << dropped.error().detail;
  EXPECT_EQ(Count("it_lists_dropped", "SELECT count(*) FROM list_member"), 0);
  auto folded = infra::FoldStateStream(conninfo_, stream_->Js(), states.Name(), states.Filter());
  ASSERT_TRUE(folded.has_value()) << folded.error().detail;
  EXPECT_EQ(folded->malformed, 0u);
  EXPECT_LT(folded->folded, history_.events.size());
  // The state stream alone knows every task and every membership.
  auto from_states = States();
  for (const auto& [key, value] : from_states) {
    SCOPED_TRACE(key);
    EXPECT_EQ(value, before.at(key));
  }

  auto& second = StartConsumer();
  ASSERT_NO_FATAL_FAILURE(AwaitCaughtUp(second));
  auto after = Answers();
  for (const auto& [key, want] : before) {
    SCOPED_TRACE(key);
    EXPECT_EQ(after.at(key), want);
  }
}

}  // namespace
}  // namespace progress::itest
