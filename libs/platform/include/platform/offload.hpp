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

// Not itself a coroutine: g++ 12 destroys a by-value coroutine parameter of lambda type twice
// (a heap-use-after-free under ASan), so the work travels inside the initiation instead, held
// by a unique_ptr whose moves are trivially safe.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> Offload(boost::asio::thread_pool& pool, F work) {
  using R = std::invoke_result_t<F&>;
  auto boxed = std::make_unique<F>(std::move(work));
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(R)>(
      [&pool](auto handler, std::unique_ptr<F> job) {
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
