#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kong::mock {

/// An IPv4 or IPv6 address; IPv4 uses the first 4 bytes.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
};

/// Parses "10.0.0.1" or "2001:db8::1" (no brackets, no port); nullopt if neither.
std::optional<IpAddress> parse_ip(std::string_view text);

/// An address block: "10.0.0.0/8", "::/0"; a bare address is a /32 or /128.
struct Cidr {
  IpAddress network;
  int prefix = 0;
};

/// Parses an address or CIDR block as Kong's trusted_ips accepts them;
/// nullopt when it is neither.
std::optional<Cidr> parse_cidr(std::string_view text);

/// Whether `address` lies in `block`; families never match each other.
bool contains(const Cidr& block, const IpAddress& address);

}  // namespace kong::mock
