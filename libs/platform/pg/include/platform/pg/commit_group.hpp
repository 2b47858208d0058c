#pragma once
// CommitGroup: group commit for small writes. Writes submitted while an earlier group is being
// committed wait and go together into the next transaction: one statement per table for the
// whole group and one WAL flush, instead of a transaction each. Every submitter resumes only
// after its own write has committed (is durable) or failed.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "platform/error.hpp"
#include "platform/pg/pool.hpp"
#include "platform/try.hpp"

namespace platform::pg {

// CommitGroupOptions: how big a group may get and how many commit at once.
struct CommitGroupOptions {
  std::size_t max_group = 256;
  // Groups in flight at once; each holds a pool connection and worker while it commits.
  int max_in_flight = 2;
};

// CommitGroup<Item>: `write` applies a whole group inside one open transaction. If a group
// fails, each of its items is retried in a transaction of its own, so one bad item fails only
// its own submitter.
template <typename Item>
class CommitGroup {
 public:
  using Write = std::function<DbResult<void>(Connection& tx, std::span<const Item> items)>;

  CommitGroup(Pool& pool, Write write, CommitGroupOptions options = {})
      : pool_(pool), write_(std::move(write)), options_(options) {}
  // Waits for groups in flight: their completions refer to this object.
  ~CommitGroup() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return in_flight_ == 0; });
  }
  CommitGroup(const CommitGroup&) = delete;
  CommitGroup& operator=(const CommitGroup&) = delete;

  // Resumes on the caller's executor once the item's transaction has committed. Not a
  // coroutine (see offload.hpp): the item moves straight into the queue.
  boost::asio::awaitable<Result<void>> Submit(Item item) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result<void>)>(
        [this](auto handler, Item queued) {
          auto home = boost::asio::get_associated_executor(handler);
          Enqueue(std::move(queued),
                  [home, handler = std::move(handler)](Result<void> result) mutable {
                    boost::asio::post(
                        home, [handler = std::move(handler), result = std::move(result)]() mutable {
                          std::move(handler)(std::move(result));
                        });
                  });
        },
        boost::asio::use_awaitable, std::move(item));
  }

  // Blocking form for background threads and tests.
  Result<void> SubmitBlocking(Item item) {
    std::vector<Item> one;
    one.push_back(std::move(item));
    return CommitAlone(one);
  }

 private:
  using Done = std::move_only_function<void(Result<void>)>;

  void Enqueue(Item item, Done done) {
    bool start = false;
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
      done_.push_back(std::move(done));
      if (in_flight_ < options_.max_in_flight) {
        ++in_flight_;
        start = true;
      }
    }
    if (start) pool_.Post([this] { Drain(); });
  }

  // On a pool worker: commits groups until the queue is empty.
  void Drain() {
    for (;;) {
      std::vector<Item> items;
      std::vector<Done> done;
      {
        std::lock_guard lock(mutex_);
        if (items_.empty()) {
          if (--in_flight_ == 0) idle_.notify_all();
          return;
        }
        std::size_t n = std::min(items_.size(), options_.max_group);
        items.assign(std::make_move_iterator(items_.begin()),
                     std::make_move_iterator(items_.begin() + static_cast<std::ptrdiff_t>(n)));
        done.assign(std::make_move_iterator(done_.begin()),
                    std::make_move_iterator(done_.begin() + static_cast<std::ptrdiff_t>(n)));
        items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(n));
        done_.erase(done_.begin(), done_.begin() + static_cast<std::ptrdiff_t>(n));
      }
      auto together = CommitAlone(items);
      if (together || items.size() == 1) {
        for (auto& d : done) d(together);
        continue;
      }
      for (std::size_t i = 0; i < items.size(); ++i) {
        done[i](CommitAlone(std::span<const Item>(&items[i], 1)));
      }
    }
  }

  Result<void> CommitAlone(std::span<const Item> items) {
    TODO_TRY(auto conn, pool_.Acquire());
    TODO_TRY_VOID(
        conn->Transaction([&](Connection& tx) -> DbResult<void> { return write_(tx, items); }));
    return {};
  }

  Pool& pool_;
  Write write_;
  CommitGroupOptions options_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::vector<Item> items_;
  std::vector<Done> done_;
  int in_flight_ = 0;
};

}  // namespace platform::pg
