#pragma once
// SystemClock: app::Clock on the system clock, at millisecond resolution.

#include <chrono>

#include "app/ports.hpp"

namespace progress::infra {

class SystemClock : public app::Clock {
 public:
  domain::Time Now() override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

}  // namespace progress::infra
