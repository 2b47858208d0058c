#pragma once
// /healthz, /readyz and /metrics, the same on every service.

#include <functional>
#include <string>
#include <vector>

#include "platform/http/router.hpp"

namespace platform::http {

// ReadinessCheck: one dependency /readyz reports by name ("database", "cache", "broker").
struct ReadinessCheck {
  std::string name;
  std::function<boost::asio::awaitable<bool>()> probe;
};

void AddOperationalRoutes(Router& router, std::vector<ReadinessCheck> checks);

}  // namespace platform::http
