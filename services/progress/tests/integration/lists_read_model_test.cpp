// Lists and sharing in the read model against the local PostgreSQL: memberships folded in from
// todo.list.* events decide who sees a task in the summary, the daily buckets and the feed
// (with its actor's name and its list); `list=` narrows to one list; a removed member, a
// deleted list and a deleted account stop showing; events from before lists stay their
// owner's.

#include "sharing_support.hpp"

namespace progress::itest {
namespace {

using std::chrono::year;

class ListsReadModelTest : public ProgressDbTest {
 protected:
  void SetUp() override {
    ProgressDbTest::SetUp();
    Time t = clock_.Now() - std::chrono::hours(2);
    siti_ = NamedUser("Siti", t);
    budi_ = NamedUser("Budi", t);
    dewi_ = NamedUser("Dewi", t);
    for (const auto* u : {&siti_, &budi_, &dewi_}) Apply(UserEvent("created", *u, t));
    siti_inbox_ = NewList(siti_.id, t, {}, true);
    budi_inbox_ = NewList(budi_.id, t, {}, true);
    shared_ = NewList(siti_.id, t, {{budi_.id, "editor"}});
    for (const auto* l : {&siti_inbox_, &budi_inbox_, &shared_}) Apply(ListEvent("created", *l, t));
  }

  // The error a summary gives (the test expects one).
  platform::Error SummaryError(const std::string& user, const std::string& list) {
    auto summary = RunSync(app::GetSummary(*deps_, user, list));
    if (summary) throw std::runtime_error("a summary where an error was expected");
    return summary.error();
  }
  platform::Error DailyError(const std::string& user, const std::string& list) {
    auto daily = RunSync(app::GetDaily(*deps_, user, 7, list));
    if (daily) throw std::runtime_error("daily buckets where an error was expected");
    return daily.error();
  }
  std::int64_t Total(const std::string& user, app::ListFilter list = {}) {
    return Summary(user, std::move(list)).aggregates.counts.Total();
  }
  // Siti creates a task in the shared list and Budi completes it: the final state.
  TaskState SharedTaskCompletedByBudi() {
    auto task = ListTask(shared_, siti_.id, clock_.Now() - std::chrono::hours(1), "Tarawih");
    Apply(TaskEvent("created", task, task.created_at));
    auto done = CompletedBy(task, budi_.id, clock_.Now() - std::chrono::minutes(30));
    Apply(TaskEvent("completed", done, done.updated_at));
    return done;
  }

  UserState siti_, budi_, dewi_;
  ListState siti_inbox_, budi_inbox_, shared_;
};

TEST_F(ListsReadModelTest, AMemberSeesSharedTasksEverywhereWithWhoChangedThem) {
  auto shared = SharedTaskCompletedByBudi();
  auto own = ListTask(budi_inbox_, budi_.id, clock_.Now() - std::chrono::minutes(10), "Zakat");
  Apply(TaskEvent("created", own, own.created_at));

  auto budi = Summary(budi_.id);
  EXPECT_EQ(budi.aggregates.counts.Total(), 2);
  EXPECT_EQ(budi.aggregates.counts.done, 1);
  EXPECT_EQ(budi.aggregates.completed_today, 1);
  EXPECT_EQ(budi.streak_days, 1);
  EXPECT_EQ(Total(siti_.id), 1) << "Budi's inbox is his alone";
  EXPECT_EQ(Total(dewi_.id), 0);
  auto today = Daily(budi_.id, 1).back();
  EXPECT_EQ(today.created, 2);
  EXPECT_EQ(today.completed, 1);
  EXPECT_EQ(Daily(dewi_.id, 1).back().created, 0);

  auto feed = Activity(budi_.id);
  ASSERT_EQ(feed.size(), 3u) << Describe(feed);
  EXPECT_EQ(feed[0].task_id, own.id);
  EXPECT_EQ(feed[0].list_id, budi_inbox_.id);
  EXPECT_EQ(feed[1].kind, domain::EventKind::kCompleted);
  EXPECT_EQ(feed[1].task_id, shared.id);
  EXPECT_EQ(feed[1].list_id, shared_.id);
  EXPECT_EQ(feed[1].actor_id, budi_.id);
  EXPECT_EQ(feed[1].actor_name, "Budi");
  EXPECT_EQ(feed[2].kind, domain::EventKind::kCreated);
  EXPECT_EQ(feed[2].actor_id, siti_.id);
  EXPECT_EQ(feed[2].actor_name, "Siti");
  EXPECT_EQ(Activity(siti_.id).size(), 2u);
  EXPECT_TRUE(Activity(dewi_.id).empty());
  // Pages of one item go through all three in order, each once.
  auto first = ActivityPage(budi_.id, std::nullopt, 1);
  ASSERT_TRUE(first.next_before.has_value());
  auto second = ActivityPage(budi_.id, first.next_before, 1);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].seq, feed[1].seq);

  // A new name shows on every item of its person.
  auto renamed = budi_;
  renamed.name = "Budi S.";
  ++renamed.version;
  Apply(UserEvent("updated", renamed, clock_.Now()));
  EXPECT_EQ(Activity(siti_.id)[0].actor_name, "Budi S.");
}

TEST_F(ListsReadModelTest, AListNarrowsTheSummaryAndTheBucketsForItsMembersOnly) {
  SharedTaskCompletedByBudi();
  auto own = ListTask(budi_inbox_, budi_.id, clock_.Now() - std::chrono::minutes(10));
  Apply(TaskEvent("created", own, own.created_at));

  EXPECT_EQ(Total(budi_.id, shared_.id), 1);
  EXPECT_EQ(Summary(budi_.id, shared_.id).aggregates.counts.done, 1);
  EXPECT_EQ(Total(budi_.id, budi_inbox_.id), 1);
  EXPECT_EQ(Summary(budi_.id, budi_inbox_.id).aggregates.counts.done, 0);
  EXPECT_EQ(Summary(budi_.id, budi_inbox_.id).streak_days, 0) << "the completion is elsewhere";
  EXPECT_EQ(Total(siti_.id, shared_.id), 1);
  EXPECT_EQ(Total(siti_.id, siti_inbox_.id), 0);
  EXPECT_EQ(Daily(budi_.id, 1, shared_.id).back().completed, 1);
  EXPECT_EQ(Daily(budi_.id, 1, shared_.id).back().created, 1);
  EXPECT_EQ(Daily(budi_.id, 1, budi_inbox_.id).back().completed, 0);

  EXPECT_EQ(SummaryError(dewi_.id, shared_.id).kind, platform::ErrorKind::kNotFound);
  EXPECT_EQ(SummaryError(siti_.id, budi_inbox_.id).kind, platform::ErrorKind::kNotFound);
  EXPECT_EQ(DailyError(dewi_.id, shared_.id).kind, platform::ErrorKind::kNotFound);
  EXPECT_EQ(SummaryError(budi_.id, platform::NewUuidV7()).kind, platform::ErrorKind::kNotFound);
}

TEST_F(ListsReadModelTest, ARemovedMemberStopsSeeingTheListAndAnOlderEventDoesNotUndoIt) {
  auto shared = SharedTaskCompletedByBudi();
  ASSERT_EQ(Total(budi_.id), 1);
  auto removed = WithMembers(shared_, {}, clock_.Now());
  Apply(ListEvent("updated", removed, clock_.Now()));
  EXPECT_EQ(Total(budi_.id), 0);
  EXPECT_TRUE(Activity(budi_.id).empty());
  EXPECT_EQ(Daily(budi_.id, 1).back().completed, 0);
  EXPECT_EQ(Summary(budi_.id).streak_days, 0);
  EXPECT_EQ(SummaryError(budi_.id, shared_.id).kind, platform::ErrorKind::kNotFound);
  EXPECT_EQ(Total(siti_.id), 1) << "the owner keeps them";

  Apply(ListEvent("updated", shared_, clock_.Now()));  // version 1 again, redelivered late
  EXPECT_EQ(Total(budi_.id), 0);

  auto back = WithMembers(removed, {{budi_.id, "viewer"}}, clock_.Now());
  Apply(ListEvent("updated", back, clock_.Now()));
  EXPECT_EQ(Total(budi_.id), 1) << "added again (as a viewer): sees it again";
  EXPECT_EQ(Activity(budi_.id).size(), 2u);
}

TEST_F(ListsReadModelTest, EventsFromBeforeListsAreTheirOwnersAndInTheirInbox) {
  TaskState old;  // no list_id, no actor_id: written before lists
  old.owner_id = siti_.id;
  old.created_at = clock_.Now() - std::chrono::hours(1);
  old.updated_at = old.created_at;
  old.expires_at = clock_.Now() - std::chrono::minutes(5);
  Apply(TaskEvent("created", old, old.created_at));
  auto expired = old;
  ++expired.version;
  expired.status = "expired";
  expired.expired_at = old.expires_at;
  Apply(TaskEvent("expired", expired, *old.expires_at));

  EXPECT_EQ(Total(siti_.id), 1);
  EXPECT_EQ(Total(budi_.id), 0);
  EXPECT_EQ(Total(siti_.id, siti_inbox_.id), 1) << "the inbox holds its owner's unlisted tasks";
  EXPECT_EQ(Total(siti_.id, shared_.id), 0);
  EXPECT_EQ(Daily(siti_.id, 1, siti_inbox_.id).back().expired, 1);
  auto feed = Activity(siti_.id);
  ASSERT_EQ(feed.size(), 2u);
  EXPECT_EQ(feed[0].list_id, std::nullopt);
  EXPECT_EQ(feed[0].actor_id, std::nullopt) << "the expiry scheduler";
  EXPECT_EQ(feed[0].actor_name, std::nullopt);
  EXPECT_EQ(feed[1].actor_id, siti_.id) << "before lists only the owner changed a task";
  EXPECT_EQ(feed[1].actor_name, "Siti");

  // Moved into the shared list by a newer event: Budi sees it from then on, and only what
  // happened to it since (its earlier events name no list: they stay Siti's).
  auto moved = ChangedBy(expired, siti_.id, clock_.Now());
  moved.list_id = shared_.id;
  Apply(TaskEvent("updated", moved, clock_.Now()));
  EXPECT_EQ(Total(budi_.id), 1);
  EXPECT_EQ(Total(siti_.id), 1) << "counted once";
  auto budis = Activity(budi_.id);
  ASSERT_EQ(budis.size(), 1u);
  EXPECT_EQ(budis[0].list_id, shared_.id);
}

TEST_F(ListsReadModelTest, ADeletedListShowsItsMembersNothingMore) {
  auto shared = SharedTaskCompletedByBudi();
  auto gone = shared;
  gone.actor_id = siti_.id;
  Apply(TaskDeleted(gone, shared.version + 1, clock_.Now(), "list_deleted"));
  Apply(ListDeleted(shared_, shared_.version + 1, clock_.Now()));
  EXPECT_EQ(Total(budi_.id), 0);
  EXPECT_TRUE(Activity(budi_.id).empty());
  EXPECT_EQ(SummaryError(siti_.id, shared_.id).kind, platform::ErrorKind::kNotFound);
  auto feed = Activity(siti_.id);
  ASSERT_EQ(feed.size(), 3u) << "the owner's feed keeps what happened";
  EXPECT_EQ(feed[0].kind, domain::EventKind::kDeleted);
  EXPECT_EQ(feed[0].title, "Tarawih");
  EXPECT_EQ(feed[0].list_id, shared_.id);

  Apply(ListEvent("updated", WithMembers(shared_, {{budi_.id, "editor"}}, clock_.Now()),
                  clock_.Now()));  // version 2, older than the deletion (2 as well): nothing
  EXPECT_EQ(Count("it_members_of_deleted", "SELECT count(*) FROM list_member WHERE list_id = $1",
                  {shared_.id}),
            0);
}

TEST_F(ListsReadModelTest, ADeletedAccountIsForgottenWithItsMemberships) {
  auto shared = SharedTaskCompletedByBudi();
  Apply(UserDeleted(budi_.id, budi_.version + 1, clock_.Now()));
  EXPECT_EQ(Count("it_budi_members", "SELECT count(*) FROM list_member WHERE user_id = $1",
                  {budi_.id}),
            0);
  EXPECT_EQ(Total(budi_.id), 0);
  EXPECT_TRUE(Activity(budi_.id).empty());
  auto feed = Activity(siti_.id);
  ASSERT_EQ(feed.size(), 2u);
  EXPECT_EQ(feed[0].actor_id, budi_.id);
  EXPECT_EQ(feed[0].actor_name, std::nullopt) << "a forgotten person has no name";

  // A rename of the list published before tasks heard of the deletion still names Budi: he
  // does not come back.
  auto renamed = WithMembers(shared_, {{budi_.id, "editor"}, {dewi_.id, "viewer"}}, clock_.Now());
  Apply(ListEvent("updated", renamed, clock_.Now()));
  EXPECT_EQ(Total(budi_.id), 0);
  EXPECT_EQ(Total(dewi_.id), 1);

  // Siti's account: tasks deletes her lists (their tasks first) and she is forgotten.
  auto erased = shared;
  erased.actor_id.reset();
  Apply(TaskDeleted(erased, shared.version + 1, clock_.Now()));
  Apply(ListDeleted(renamed, renamed.version + 1, clock_.Now()));
  Apply(ListDeleted(siti_inbox_, siti_inbox_.version + 1, clock_.Now()));
  Apply(UserDeleted(siti_.id, siti_.version + 1, clock_.Now()));
  EXPECT_EQ(Total(dewi_.id), 0);
  EXPECT_TRUE(Activity(dewi_.id).empty());
  EXPECT_TRUE(Activity(siti_.id).empty());
  EXPECT_EQ(Count("it_lists_left", "SELECT count(*) FROM list_member WHERE list_id = ANY($1)",
                  {"{" + shared_.id + "," + siti_inbox_.id + "}"}),
            0);
}

}  // namespace
}  // namespace progress::itest
