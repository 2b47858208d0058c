#pragma once
// The one way a failed std::expected leaves a function early, in plain code and in coroutines.
//
//   TODO_TRY(auto task, repository.Get(owner, id));          // return on error, else bind
//   TODO_TRY_VOID(outbox.Append(tx, event));                  // return on error
//   TODO_CO_TRY(auto page, co_await store.List(query));       // the same with co_return
//   TODO_CO_TRY_VOID(co_await cache.Put(task));
//
// On failure the enclosing function returns `std::unexpected(error)`, which converts to any
// std::expected whose error type accepts that error (a pg::DbError becomes a platform::Error
// that way) and to an http::Response (the problem+json of the error). The expression is
// evaluated once; the value is moved into the declaration. The declaration cannot hold a
// comma (a macro argument): bind a structured value to one name, then unpack it.

#include <expected>
#include <utility>

#define TODO_TRY_CONCAT_INNER(a, b) a##b
#define TODO_TRY_CONCAT(a, b) TODO_TRY_CONCAT_INNER(a, b)
#define TODO_TRY_TEMP TODO_TRY_CONCAT(todo_try_result_, __LINE__)

#define TODO_TRY_BIND_IMPL(keyword, temp, declaration, ...)                \
  auto temp = (__VA_ARGS__);                                               \
  if (!temp.has_value()) keyword std::unexpected(std::move(temp).error()); \
  declaration = std::move(temp).value()

#define TODO_TRY_VOID_IMPL(keyword, temp, ...)                               \
  do {                                                                       \
    auto temp = (__VA_ARGS__);                                               \
    if (!temp.has_value()) keyword std::unexpected(std::move(temp).error()); \
  } while (false)

// Binds the value of a std::expected to `declaration`, or returns its error.
#define TODO_TRY(declaration, ...) \
  TODO_TRY_BIND_IMPL(return, TODO_TRY_TEMP, declaration, __VA_ARGS__)
// Returns the error of a std::expected (its value, if any, is dropped).
#define TODO_TRY_VOID(...) TODO_TRY_VOID_IMPL(return, TODO_TRY_TEMP, __VA_ARGS__)
// TODO_TRY for coroutines: co_returns the error.
#define TODO_CO_TRY(declaration, ...) \
  TODO_TRY_BIND_IMPL(co_return, TODO_TRY_TEMP, declaration, __VA_ARGS__)
// TODO_TRY_VOID for coroutines.
#define TODO_CO_TRY_VOID(...) TODO_TRY_VOID_IMPL(co_return, TODO_TRY_TEMP, __VA_ARGS__)
