#pragma once
// RunSync: runs one awaitable to completion on a private io_context, rethrowing what it threw
// (tests only; the caller's executor is thus never a client's own thread).

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>

namespace platform::testing {

template <typename T>
T RunSync(boost::asio::awaitable<T> task) {
  boost::asio::io_context context;
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(context, std::move(task), [&out, &error](std::exception_ptr e, T value) {
    error = e;
    if (!e) out.emplace(std::move(value));
  });
  context.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

inline void RunSync(boost::asio::awaitable<void> task) {
  boost::asio::io_context context;
  std::exception_ptr error;
  boost::asio::co_spawn(context, std::move(task), [&error](std::exception_ptr e) { error = e; });
  context.run();
  if (error) std::rethrow_exception(error);
}

}  // namespace platform::testing
