#include "platform/check.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace platform {

namespace {

void ReportOnStderr(std::string_view what, const std::source_location& where) {
  std::fprintf(stderr, "broken invariant at %s:%u: %.*s\n", where.file_name(),
               static_cast<unsigned>(where.line()), static_cast<int>(what.size()), what.data());
}

std::atomic<InvariantReporter> reporter{&ReportOnStderr};
std::atomic<long> broken{0};

}  // namespace

void SetInvariantReporter(InvariantReporter r) { reporter.store(r ? r : &ReportOnStderr); }

Error BrokenInvariant(std::string_view what, const std::source_location& where) {
  broken.fetch_add(1, std::memory_order_relaxed);
#ifndef NDEBUG
  ReportOnStderr(what, where);
  std::abort();
#else
  reporter.load()(what, where);
  return Error::Internal();
#endif
}

long BrokenInvariantCount() { return broken.load(std::memory_order_relaxed); }

}  // namespace platform
