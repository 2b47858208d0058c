#pragma once
// What the fuzz targets share: TODO_FUZZ_CHECK, which stops the run on a broken invariant
// (libFuzzer then saves the input), and FuzzInput, which splits one input into the pieces a target
// needs.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#define TODO_FUZZ_CHECK(condition)                                                            \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "invariant broken: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
      __builtin_trap();                                                                       \
    }                                                                                         \
  } while (0)

namespace fuzz {

// FuzzInput: the fuzzer's bytes, read front to back. Seeds stay readable text: a mode digit
// first, then pieces separated by newlines.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  // The first byte modulo `modes` (0 when the input is empty): which parser to drive. The
  // digits '0'.. map to 0.. for any `modes` that divides 48.
  unsigned Mode(unsigned modes) {
    if (rest_.empty()) return 0;
    unsigned mode = static_cast<unsigned char>(rest_.front()) % modes;
    rest_.remove_prefix(1);
    return mode;
  }
  // Everything up to the next newline (consumed), or the rest when there is none.
  std::string_view Line() {
    auto newline = rest_.find('\n');
    auto line = rest_.substr(0, newline);
    rest_ = newline == std::string_view::npos ? std::string_view{} : rest_.substr(newline + 1);
    return line;
  }
  std::string_view Rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace fuzz
