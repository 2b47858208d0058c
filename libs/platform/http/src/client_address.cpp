// g++ 12 with Boost 1.74 needs <utility> before any Boost header.
#include <utility>

#include "platform/http/client_address.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

#include "platform/http/message.hpp"

namespace platform::http {
namespace {

using Bytes = std::array<std::uint8_t, 16>;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// An address in its 16-byte form (IPv4 mapped), or nullopt when `text` is not exactly one
// address (no port, no brackets, no zone).
std::optional<Bytes> ParseAddress(std::string_view text) {
  if (text.empty() || text.size() > 45 || text.find('%') != std::string_view::npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v4()) {
    return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4()).to_bytes();
  }
  return address.to_v6().to_bytes();
}

bool IsV4Mapped(const Bytes& bytes) {
  for (int i = 0; i < 10; ++i) {
    if (bytes[static_cast<std::size_t>(i)] != 0) return false;
  }
  return bytes[10] == 0xff && bytes[11] == 0xff;
}

std::string Canonical(const Bytes& bytes) {
  auto v6 = boost::asio::ip::address_v6(bytes);
  if (IsV4Mapped(bytes))
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  return v6.to_string();
}

bool PrefixMatches(const Bytes& a, const Bytes& b, int prefix) {
  for (int bit = 0; bit < prefix; bit += 8) {
    auto i = static_cast<std::size_t>(bit / 8);
    int bits = std::min(8, prefix - bit);
    auto mask = static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies out;
  std::string_view rest = list;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto entry = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (entry.empty()) continue;
    auto invalid = [&entry] {
      return std::unexpected(Error::InvalidField(
          "TODO_TRUSTED_PROXIES", "has \"" + std::string(entry) + "\", not an address or CIDR"));
    };
    auto slash = entry.find('/');
    auto address = ParseAddress(entry.substr(0, slash));
    if (!address) return invalid();
    bool v4 = IsV4Mapped(*address) && entry.substr(0, slash).find(':') == std::string_view::npos;
    Network network{*address, 128};
    if (slash != std::string_view::npos) {
      auto digits = entry.substr(slash + 1);
      int prefix = -1;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      int max = v4 ? 32 : 128;
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
          prefix < 0 || prefix > max) {
        return invalid();
      }
      network.prefix = v4 ? prefix + 96 : prefix;
    }
    out.networks_.push_back(network);
  }
  return out;
}

bool TrustedProxies::Contains(std::string_view address) const {
  if (networks_.empty()) return false;
  auto bytes = ParseAddress(address);
  if (!bytes) return false;
  for (const auto& network : networks_) {
    if (PrefixMatches(*bytes, network.bytes, network.prefix)) return true;
  }
  return false;
}

std::string ClientAddress(const Request& request, const TrustedProxies& trusted) {
  const std::string& peer = request.remote_address;
  if (!trusted.Contains(peer)) return peer;
  // Every X-Forwarded-For field, in order, as one list: the hops appended last are the nearest.
  std::vector<std::string_view> hops;
  for (const auto& [name, value] : request.headers) {
    if (name != "x-forwarded-for") continue;
    std::string_view rest = value;
    while (true) {
      auto comma = rest.find(',');
      hops.push_back(Trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (hops.empty()) return peer;
  std::optional<Bytes> client;
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    client = ParseAddress(*hop);
    if (!client) return peer;  // a malformed hop: nothing beyond it can be believed
    if (!trusted.Contains(*hop)) break;
  }
  return Canonical(*client);
}

std::string ClientAddress(const Request& request) {
  return request.client_address.empty() ? request.remote_address : request.client_address;
}

}  // namespace platform::http
