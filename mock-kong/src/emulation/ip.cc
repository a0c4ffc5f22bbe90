// kong.ip and nginx's realip module: which addresses Kong trusts, and the
// forwarded client address a trusted peer may name.
#include <algorithm>
#include <charconv>
#include <vector>

#include "emulation/connection.h"
#include "emulation/emulation.h"
#include "state/cidr.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

// One entry of a forwarded list: "1.2.3.4", "1.2.3.4:80", "::1", "[::1]:80",
// as nginx's ngx_parse_addr_port reads it.
std::optional<ForwardedAddr> parse_addr_port(std::string_view entry) {
  std::string_view host = entry;
  std::string_view port;
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    host = entry.substr(1, close - 1);
    const std::string_view rest = entry.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':'))
        return std::nullopt;
      port = rest.substr(1);
    }
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
    const auto colon = entry.find(':');
    host = entry.substr(0, colon);
    port = entry.substr(colon + 1);
  }
  if (!parse_ip(host))
    return std::nullopt;
  ForwardedAddr out{std::string(host), std::nullopt};
  if (!port.empty()) {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || end != port.data() + port.size() || n < 1 || n > 65535)
      return std::nullopt;
    out.port = n;
  }
  return out;
}

Value is_trusted(KongState& s, const Array& args) {
  const Value& address = arg(args, 0);
  return Value(ip_is_trusted(*s.kong, address.is_text() ? address.text() : std::string_view()));
}

}  // namespace

bool ip_is_trusted(const KongSettings& kong, std::string_view address) {
  // Kong compiles trusted_ips once (kong/pdk/ip.lua): entries that are not
  // addresses or blocks ("unix:") are dropped, "trust all" skips matching.
  std::vector<Cidr> blocks;
  bool all_v4 = false;
  bool all_v6 = false;
  for (const auto& entry : kong.trusted_ips) {
    if (auto block = parse_cidr(entry)) {
      blocks.push_back(*block);
      all_v4 = all_v4 || entry == "0.0.0.0/0";
      all_v6 = all_v6 || entry == "::/0";
    }
  }
  if (blocks.empty())
    return false;
  if (all_v4 && all_v6)
    return true;
  const auto ip = parse_ip(address);
  if (!ip)
    return false;
  return std::any_of(blocks.begin(), blocks.end(),
                     [&](const Cidr& block) { return contains(block, *ip); });
}

ForwardedAddr forwarded_addr(const KongState& s) {
  const ForwardedAddr own{s.client_ip, s.client_port};
  const std::string header = lower(s.kong->real_ip_header);
  if (s.subsystem != "http" || header == "proxy_protocol" || !ip_is_trusted(*s.kong, s.client_ip))
    return own;
  // The realip module ran at post-read, on the headers as received: every
  // X-Forwarded-For line, only the first line of another header.
  std::vector<std::string> lines = s.received_headers.all(header);
  if (lines.empty())
    return own;
  if (header != "x-forwarded-for")
    lines.resize(1);
  std::string joined;
  for (const auto& line : lines)
    joined += (joined.empty() ? "" : ",") + line;
  // Entries are separated by commas or spaces.
  std::vector<std::string_view> entries;
  std::string_view rest = joined;
  while (!rest.empty()) {
    const auto sep = rest.find_first_of(", ");
    if (sep != 0)
      entries.push_back(rest.substr(0, sep));
    if (sep == std::string_view::npos)
      break;
    rest.remove_prefix(sep + 1);
  }
  // ngx_http_get_forwarded_addr_internal walks from the right while the
  // address so far is trusted; without real_ip_recursive it takes one entry.
  // An unparsable entry stops the walk and keeps what was found before it.
  std::optional<ForwardedAddr> found;
  std::string current = own.ip;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (!ip_is_trusted(*s.kong, current))
      break;
    auto addr = parse_addr_port(*it);
    if (!addr)
      break;
    current = addr->ip;
    found = std::move(addr);
    if (!s.kong->real_ip_recursive)
      break;
  }
  return found.value_or(own);
}

void require_request_context(const KongState& s) {
  if (s.phase == Phase::log)
    throw LuaError{"API disabled in the current context"};
}

void require_ssl_request(const KongState& s) {
  if (s.phase == Phase::log)
    throw LuaError{"no request found"};
}

bool is_tls(const KongState& s) {
  return s.url.scheme == "https";
}

void register_ip(Emulation& e) {
  e.add(protocol::MethodId::ip_is_trusted, is_trusted);
}

}  // namespace kong::mock
