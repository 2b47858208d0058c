// The live streams' hub against the local PostgreSQL: events folded in by EventApplier notify on
// commit, and the hub hands what is new to the streams of that person only, with one read
// whatever their number; idle streams cost no query; revocations and the activity window.

// g++ 12 with Boost 1.74 needs <utility> before any Boost header.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <thread>

#include "infra/pg/activity_sweeper.hpp"
#include "infra/stream/stream_hub.hpp"
#include "progress_test_env.hpp"

namespace progress::itest {
namespace {

namespace asio = boost::asio;

// Waker: a coroutine per inbox that counts how often it was woken, as a stream would be.
struct Waker {
  std::atomic<int> wakes{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
};

class StreamHubTest : public ProgressDbTest {
 protected:
  void SetUp() override {
    ProgressDbTest::SetUp();
    hub_ = std::make_unique<infra::StreamHub>(conninfo_);
    hub_->Start();
    ASSERT_TRUE(Eventually([&] { return hub_->Listening(); }, 10s));
    runner_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    CloseAll();
    work_.reset();
    runner_.join();
    hub_->Stop();
    hub_.reset();
    ProgressDbTest::TearDown();
  }

  // Ends every stream's coroutine, then lets go of the subscriptions (as a stream ending does).
  void CloseAll() {
    for (auto& w : wakers_) w->stop = true;
    hub_->WakeAll();
    bool ended = Eventually(
        [&] {
          for (auto& w : wakers_) {
            if (!w->done) return false;
          }
          return true;
        },
        5s);
    ASSERT_TRUE(ended);
    subscriptions_.clear();
    wakers_.clear();
  }

  // A stream of `user` (session `session`) that has seen everything so far.
  infra::StreamHub::Inbox& Open(const std::string& user, const std::string& session,
                                std::int64_t after = 0) {
    subscriptions_.push_back(hub_->Subscribe(user, session, io_.get_executor(), after));
    auto* inbox = &**subscriptions_.back();
    auto waker = std::make_shared<Waker>();
    wakers_.push_back(waker);
    asio::co_spawn(
        io_,
        [inbox, waker]() -> asio::awaitable<void> {
          while (!waker->stop) {
            co_await inbox->Wait(std::chrono::hours(1));
            if (!waker->stop) ++waker->wakes;
          }
          waker->done = true;
        },
        asio::detached);
    return *inbox;
  }

  TaskState Task(const std::string& owner) {
    TaskState t;
    t.owner_id = owner;
    t.created_at = clock_.Now();
    t.updated_at = clock_.Now();
    return t;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread runner_;
  std::unique_ptr<infra::StreamHub> hub_;
  std::vector<std::unique_ptr<infra::StreamHub::Subscription>> subscriptions_;
  std::vector<std::shared_ptr<Waker>> wakers_;
};

TEST_F(StreamHubTest, AnEventReachesEveryStreamOfItsPersonWithOneReadAndNoOtherStream) {
  const std::string siti = platform::NewUuidV7(), budi = platform::NewUuidV7();
  std::vector<infra::StreamHub::Inbox*> sitis;
  for (int i = 0; i < 50; ++i) sitis.push_back(&Open(siti, platform::NewUuidV7()));
  auto& budis = Open(budi, platform::NewUuidV7());
  auto budi_waker = wakers_.back();
  EXPECT_EQ(hub_->Open(), 51u);

  auto before = hub_->Queries();
  auto task = Task(siti);
  Apply(TaskEvent("created", task, clock_.Now()));
  std::vector<std::vector<infra::SharedEvent>> got(sitis.size());
  ASSERT_TRUE(Eventually(
      [&] {
        bool all = true;
        for (std::size_t i = 0; i < sitis.size(); ++i) {
          auto more = sitis[i]->TakeEvents();
          got[i].insert(got[i].end(), more.begin(), more.end());
          all = all && !got[i].empty();
        }
        return all;
      },
      5s));
  for (const auto& events : got) {
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0], got[0][0]) << "encoded once, shared";
    EXPECT_EQ(events[0]->seq, static_cast<std::int64_t>(last_seq_));
    EXPECT_NE(events[0]->text.find("event: created"), std::string::npos);
    EXPECT_NE(events[0]->text.find(task.id), std::string::npos);
  }
  EXPECT_EQ(hub_->Queries() - before, 1u) << "one read for fifty streams";
  EXPECT_TRUE(budis.TakeEvents().empty());
  EXPECT_EQ(budi_waker->wakes.load(), 0) << "another person's stream was woken";
}

TEST_F(StreamHubTest, IdleStreamsRunNoQuery) {
  const std::string siti = platform::NewUuidV7();
  for (int i = 0; i < 200; ++i) Open(platform::NewUuidV7(), platform::NewUuidV7());
  Open(siti, platform::NewUuidV7());
  // Something happens to someone without a stream here: it costs this hub nothing either.
  Apply(TaskEvent("created", Task(platform::NewUuidV7()), clock_.Now()));
  auto before = hub_->Queries();
  // Nothing to wait for but time itself: the claim is that nothing happens while it passes.
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(hub_->Queries(), before);
  for (const auto& w : wakers_) EXPECT_EQ(w->wakes.load(), 0);
}

TEST_F(StreamHubTest, ARevokedSessionAsksOnlyItsStreamsToCheckTheirToken) {
  const std::string siti = platform::NewUuidV7();
  const std::string revoked = platform::NewUuidV7();
  auto& mine = Open(siti, revoked);
  auto& other = Open(siti, platform::NewUuidV7());
  hub_->Recheck(revoked);
  ASSERT_TRUE(Eventually([&] { return wakers_[0]->wakes.load() >= 1; }, 5s));
  EXPECT_TRUE(mine.TakeRecheck());
  EXPECT_FALSE(mine.TakeRecheck()) << "the request is taken once";
  EXPECT_FALSE(other.TakeRecheck());
  EXPECT_EQ(wakers_[1]->wakes.load(), 0);

  hub_->Recheck("");  // revocations can no longer be followed: everyone checks
  ASSERT_TRUE(Eventually([&] { return wakers_[1]->wakes.load() >= 1; }, 5s));
  EXPECT_TRUE(mine.TakeRecheck());
  EXPECT_TRUE(other.TakeRecheck());
}

TEST_F(StreamHubTest, AStreamTooFarBehindIsToldToReadTheReadModelInstead) {
  const std::string siti = platform::NewUuidV7();
  auto& inbox = Open(siti, platform::NewUuidV7());
  std::vector<Event> events;
  for (std::size_t i = 0; i < infra::StreamHub::kInboxLimit + 10; ++i) {
    events.push_back(TaskEvent("created", Task(siti), clock_.Now()));
  }
  std::vector<infra::ConsumedEvent> consumed;
  std::vector<std::uint64_t> seqs;
  for (const auto& e : events) {
    consumed.push_back(*infra::ReadEvent(e.payload));
    seqs.push_back(++last_seq_);
  }
  auto folded = conn_->Transaction(
      [&](pg::Connection& tx) { return applier_.FoldBatch(tx, consumed, seqs, true); });
  ASSERT_TRUE(folded.has_value()) << folded.error().message;
  ASSERT_TRUE(Eventually([&] { return hub_->Queries() >= 3; }, 5s));  // pages of 1000
  ASSERT_TRUE(Eventually([&] { return inbox.TakeOverflow(); }, 5s));
  EXPECT_TRUE(inbox.TakeEvents().empty()) << "the undelivered events were let go";
}

TEST_F(StreamHubTest, ClosedStreamsAreForgotten) {
  const std::string siti = platform::NewUuidV7();
  for (int i = 0; i < 3; ++i) Open(siti, platform::NewUuidV7());
  EXPECT_EQ(hub_->Open(), 3u);
  ASSERT_NO_FATAL_FAILURE(CloseAll());
  EXPECT_EQ(hub_->Open(), 0u);
  auto before = hub_->Queries();
  Apply(TaskEvent("created", Task(siti), clock_.Now()));
  // The notification for a person without streams reads nothing; a later one for a person with
  // a stream shows the hub is still listening (so the first was handled by then).
  const std::string budi = platform::NewUuidV7();
  auto& budis = Open(budi, platform::NewUuidV7());
  Apply(TaskEvent("created", Task(budi), clock_.Now()));
  ASSERT_TRUE(Eventually([&] { return !budis.TakeEvents().empty(); }, 5s));
  EXPECT_EQ(hub_->Queries() - before, 1u);
}

// The activity window: rows older than it go, in batches; newer ones stay.
TEST_F(ProgressDbTest, ActivityOlderThanTheWindowIsSweptInBatches) {
  const std::string owner = platform::NewUuidV7();
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(platform::Clock::now());
  TaskState t;
  t.owner_id = owner;
  for (int i = 0; i < 25; ++i) {
    t.version = i + 1;
    Apply(TaskEvent(i == 0 ? "created" : "updated", t, now - std::chrono::days(100) + 1min * i));
  }
  for (int i = 0; i < 5; ++i) {
    t.version = 26 + i;
    Apply(TaskEvent("updated", t, now - std::chrono::days(10) + 1min * i));
  }
  infra::ActivityWindow window;
  window.keep = std::chrono::days(90);
  window.sweep.batch = 10;
  auto swept = infra::ActivitySweeper::SweepOnce(*conn_, window);
  ASSERT_TRUE(swept.has_value()) << swept.error().message;
  EXPECT_EQ(*swept, 25);
  EXPECT_EQ(Count("it_activity_left", "SELECT count(*) FROM activity WHERE owner_id = $1", {owner}),
            5);
  auto again = infra::ActivitySweeper::SweepOnce(*conn_, window);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, 0);
  // The task itself is state, not history: it stays.
  EXPECT_EQ(Count("it_task_left", "SELECT count(*) FROM task_state WHERE id = $1", {t.id}), 1);
}

}  // namespace
}  // namespace progress::itest
