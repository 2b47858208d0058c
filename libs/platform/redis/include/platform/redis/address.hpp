#pragma once
// Where a service's Redis is: one server, or the master that a set of Sentinels names (so a
// Sentinel failover moves the service to the new master without a restart).

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/error.hpp"

namespace platform::redis {

// Endpoint: one host and port.
struct Endpoint {
  std::string host;
  int port = 0;
};

// Address: `server` unless `sentinels` is non-empty; then whichever server the first Sentinel
// that answers names as the master of `master_name`, asked again at every (re)connect.
struct Address {
  Endpoint server{"127.0.0.1", 6379};
  std::vector<Endpoint> sentinels;
  std::string master_name = "todo";
};

// One server, no Sentinels.
inline Address ServerAddress(std::string host, int port) {
  Address address;
  address.server = {std::move(host), port};
  return address;
}

// "host:port,host:port" (spaces around entries ignored); a validation error names a bad entry.
Result<std::vector<Endpoint>> ParseEndpoints(std::string_view list);

// The server to connect to now: `address.server`, or the master named by the Sentinels (each
// asked in turn, `timeout` each). Error::Unavailable when no Sentinel answers with a master.
Result<Endpoint> ResolveServer(const Address& address, std::chrono::milliseconds timeout);

}  // namespace platform::redis
