#pragma once
// RunSync: runs one awaitable to completion on a private io_context (tests only).

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>

namespace platform::testing {

template <typename T>
T RunSync(boost::asio::awaitable<T> task) {
  boost::asio::io_context context;
  std::optional<T> out;
  boost::asio::co_spawn(
      context, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(task)); },
      boost::asio::detached);
  context.run();
  return std::move(*out);
}

}  // namespace platform::testing
