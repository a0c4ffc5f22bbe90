#include "state/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace kong::mock {

std::optional<IpAddress> parse_ip(std::string_view text) {
  const std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1)
    return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1)
    return a;
  return std::nullopt;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  auto address = parse_ip(text.substr(0, slash));
  if (!address)
    return std::nullopt;
  const int bits = address->v6 ? 128 : 32;
  if (slash == std::string_view::npos)
    return Cidr{*address, bits};
  const std::string_view digits = text.substr(slash + 1);
  int prefix = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 ||
      prefix > bits) {
    return std::nullopt;
  }
  return Cidr{*address, prefix};
}

bool contains(const Cidr& block, const IpAddress& address) {
  if (block.network.v6 != address.v6)
    return false;
  int left = block.prefix;
  for (std::size_t i = 0; left > 0; ++i, left -= 8) {
    const int mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if ((block.network.bytes[i] & mask) != (address.bytes[i] & mask))
      return false;
  }
  return true;
}

}  // namespace kong::mock
