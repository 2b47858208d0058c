#pragma once
// Where the integration tests find the local stack (scripts/infra-up), from TODO_* variables.

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <thread>

namespace platform::testenv {

// Polls `ok` until it holds or `limit` passes; true when it held.
template <typename F>
bool Eventually(F ok, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(every);  // poll interval, bounded by the deadline
  }
  return ok();
}

inline std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// The test database; tests that need isolation add their own schema or table names.
inline std::string TestPgConninfo() {
  return "host=127.0.0.1 port=" + EnvOr("TODO_PG_PORT", "55432") + " user=todo dbname=todo_test";
}

inline std::string TestNatsUrl() { return "nats://127.0.0.1:" + EnvOr("TODO_NATS_PORT", "54222"); }

// Lower-case letters and digits, so it fits stream, subject, schema and durable names, and
// reruns or concurrent runs never collide on them.
inline std::string UniqueSuffix(std::size_t length = 10) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += kAlphabet[pick(rng)];
  return out;
}

}  // namespace platform::testenv
