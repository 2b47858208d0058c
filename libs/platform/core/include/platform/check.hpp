#pragma once
// Invariant checks: for what must never happen, whatever a client sends. A broken invariant is
// a bug: in a debug build it aborts at once (with the place and the condition on stderr); in a
// release build it is reported (logged by the service) and the enclosing function returns an
// internal error, so one request fails and the process goes on serving the others.
//
//   TODO_CHECK(row.version > 0, "a stored task has a version");        // in a Result function
//   TODO_CO_CHECK(slot != nullptr, "an open stream holds a slot");      // in a coroutine

#include <source_location>
#include <string_view>

#include "platform/error.hpp"

namespace platform {

// Where a broken invariant goes in release builds; the service's logging installs one.
using InvariantReporter = void (*)(std::string_view what, const std::source_location& where);
void SetInvariantReporter(InvariantReporter reporter);

// Reports a broken invariant (aborts in a debug build) and returns the error the request gets.
Error BrokenInvariant(std::string_view what,
                      const std::source_location& where = std::source_location::current());

// How many broken invariants this process has reported (for tests and /metrics).
long BrokenInvariantCount();

}  // namespace platform

#define TODO_CHECK_IMPL(keyword, condition, what)                                 \
  do {                                                                            \
    if (!(condition)) [[unlikely]] {                                              \
      keyword std::unexpected(::platform::BrokenInvariant(what ": " #condition)); \
    }                                                                             \
  } while (false)

// Returns an internal error from a function returning std::expected when `condition` is false.
#define TODO_CHECK(condition, what) TODO_CHECK_IMPL(return, condition, what)
// TODO_CHECK for coroutines.
#define TODO_CO_CHECK(condition, what) TODO_CHECK_IMPL(co_return, condition, what)
