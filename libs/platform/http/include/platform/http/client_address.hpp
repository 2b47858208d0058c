#pragma once
// Who sent a request: the peer, or the address a trusted proxy (TODO_TRUSTED_PROXIES) names in
// X-Forwarded-For. Per-address limits key on it, so a forged header must never be believed.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace platform::http {

struct Request;

// TrustedProxies: the addresses and networks (IPv4 and IPv6, `10.0.0.0/8`, `::1`) whose
// X-Forwarded-For is believed. Empty (the default) believes no one.
class TrustedProxies {
 public:
  TrustedProxies() = default;
  // A comma-separated list of addresses or CIDRs; Error::Validation naming the bad entry.
  static Result<TrustedProxies> Parse(std::string_view list);
  bool Contains(std::string_view address) const;
  bool Empty() const { return networks_.empty(); }

 private:
  // Addresses as 16 bytes: IPv4 as IPv4-mapped IPv6, so one comparison serves both.
  struct Network {
    std::array<std::uint8_t, 16> bytes{};
    int prefix = 128;
  };
  std::vector<Network> networks_;
};

// The client's address for `request`: when its peer is a trusted proxy, the right-most
// X-Forwarded-For address that is not itself a trusted proxy (the left-most when all are);
// otherwise, or when the header is absent or malformed, the peer. Canonical text form.
std::string ClientAddress(const Request& request, const TrustedProxies& trusted);

// The address the server worked out for `request` (Request::client_address), or the peer for a
// request that did not come through the server.
std::string ClientAddress(const Request& request);

}  // namespace platform::http
