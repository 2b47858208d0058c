#pragma once
// Offload: runs blocking work (libpq, hiredis, Argon2id) on a worker pool and resumes the
// awaiting coroutine on its own executor, so the event loop never blocks.

#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>

namespace platform {

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F>> Offload(boost::asio::thread_pool& pool, F work) {
  using R = std::invoke_result_t<F>;
  auto home = co_await boost::asio::this_coro::executor;
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(R)>(
      [&pool, home, work = std::move(work)](auto handler) mutable {
        boost::asio::post(pool, [home, work = std::move(work),
                                 handler = std::move(handler)]() mutable {
          R result = work();
          boost::asio::post(home, [handler = std::move(handler),
                                   result = std::move(result)]() mutable {
            std::move(handler)(std::move(result));
          });
        });
      },
      boost::asio::use_awaitable);
}

}  // namespace platform
