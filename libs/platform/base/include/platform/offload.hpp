#pragma once
// Offload: runs blocking work (libpq, hiredis, Argon2id) on a worker pool and resumes the
// awaiting coroutine on its own executor, so the event loop never blocks.

#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <type_traits>

namespace platform {

// g++ 12 mishandles objects of class type that coroutines hand around (a lambda inside a
// coroutine that captures a by-value parameter sees a stale copy; a closure temporary inside a
// co_await expression is copied bitwise), which ASan reports as double frees. So Offload is not
// a coroutine, takes the work by reference, and moves it straight into a heap box.
// Callers: pass a named lambda, and capture locals, never coroutine parameters.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<std::decay_t<F>&>> Offload(
    boost::asio::thread_pool& pool, F&& work) {
  using Job = std::decay_t<F>;
  using R = std::invoke_result_t<Job&>;
  auto boxed = std::make_unique<Job>(std::forward<F>(work));
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(R)>(
      [&pool](auto handler, std::unique_ptr<Job> job) {
        auto home = boost::asio::get_associated_executor(handler);
        boost::asio::post(
            pool, [home, job = std::move(job), handler = std::move(handler)]() mutable {
              R result = (*job)();
              job.reset();
              boost::asio::post(
                  home, [handler = std::move(handler), result = std::move(result)]() mutable {
                    std::move(handler)(std::move(result));
                  });
            });
      },
      boost::asio::use_awaitable, std::move(boxed));
}

}  // namespace platform
