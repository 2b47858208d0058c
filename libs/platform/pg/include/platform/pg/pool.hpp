#pragma once
// Pool: a fixed set of PostgreSQL connections, each used by one worker thread at a time, so
// request coroutines await database work without blocking the event loop.

#include <boost/asio/thread_pool.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "platform/offload.hpp"
#include "platform/pg/connection.hpp"
#include "platform/try.hpp"

namespace platform::pg {

// Pool: connections are opened lazily and re-opened after a failure.
class Pool {
 public:
  // session_setup: a fixed statement run on each new connection (e.g. planner settings).
  Pool(std::string conninfo, int size, std::string session_setup = {});
  ~Pool();

  // Borrowed: a connection on loan, returned to the pool when destroyed.
  class Borrowed {
   public:
    Borrowed(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Borrowed(Borrowed&&) = default;
    ~Borrowed();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Waits for a free connection (blocking: call from a worker or background thread).
  DbResult<Borrowed> Acquire();

  // Runs work(Connection&) on a pool thread; the coroutine resumes on its own executor.
  template <typename F>
  boost::asio::awaitable<std::invoke_result_t<F&, Connection&>> Run(F work) {
    return Offload(workers_,
                   [this, work = std::move(work)]() mutable { return RunBlocking(work); });
  }

  // The same, on the calling thread: for start-up and background loops.
  template <typename F>
  auto RunBlocking(F& work) -> std::invoke_result_t<F&, Connection&> {
    TODO_TRY(auto conn, Acquire());
    return work(*conn);
  }

  // Runs fn on a pool thread, detached; fn acquires its own connection.
  template <typename F>
  void Post(F&& fn) {
    boost::asio::post(workers_, std::forward<F>(fn));
  }

  const std::string& Conninfo() const { return conninfo_; }
  int Size() const { return size_; }

 private:
  void Release(std::unique_ptr<Connection> conn);

  std::string conninfo_;
  int size_;
  std::string session_setup_;
  boost::asio::thread_pool workers_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
};

}  // namespace platform::pg
