#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/protocol/signature_types.h"
#include "kong/protocol/value.h"

namespace kong {

/// A header value Kong accepts: one string, or several (one header line each).
class HeaderValue {
 public:
  HeaderValue(const char* s) : v_(std::string(s)) {}
  HeaderValue(std::string_view s) : v_(std::string(s)) {}
  HeaderValue(const std::string& s) : v_(s) {}
  HeaderValue(const std::vector<std::string>& values) {
    protocol::Array a(values.begin(), values.end());
    v_ = protocol::Value(std::move(a));
  }
  const protocol::Value& value() const { return v_; }
  /// A value as the plugin sent it (kong::testing decodes calls with it).
  static HeaderValue from_wire(protocol::Value v) {
    HeaderValue h("");
    h.v_ = std::move(v);
    return h;
  }
  friend bool operator==(const HeaderValue& a, const HeaderValue& b) { return a.v_ == b.v_; }

 private:
  protocol::Value v_;
};

/// A response body for kong.response.exit: bytes sent as they are, or a JSON
/// value that Kong encodes (setting Content-Type to application/json).
class Body {
 public:
  Body() = default;
  Body(const char* s) : v_(Bytes{s}) {}
  Body(std::string_view s) : v_(Bytes{std::string(s)}) {}
  Body(const std::string& s) : v_(Bytes{s}) {}
  Body(Bytes b) : v_(std::move(b)) {}
  Body(const nlohmann::json& j);
  const protocol::Value& value() const { return v_; }
  /// A value as the plugin sent it (kong::testing decodes calls with it).
  static Body from_wire(protocol::Value v) {
    Body b;
    b.v_ = std::move(v);
    return b;
  }
  friend bool operator==(const Body& a, const Body& b) { return a.v_ == b.v_; }

 private:
  protocol::Value v_;
};

/// kong.request.get_uri_captures: the groups of the route's regex path.
/// `unnamed[0]` is the whole match, then each group in order; `named` holds
/// the named groups.
struct UriCaptures {
  std::vector<std::string> unnamed;
  std::map<std::string, std::string, std::less<>> named;
  bool operator==(const UriCaptures&) const = default;
};

/// Result type of PDK functions that never return to the plugin
/// (kong.response.exit): the event ends at the call.
struct NoReturn {};

/// Kong's default caps on the headers and query arguments a getter returns
/// (lua_max_req_headers, lua_max_resp_headers, lua_max_uri_args). The C++ PDK
/// sends them when none is given, as the Go PDK does: over ProtoBuf:1 an
/// absent number arrives as 0, which Kong refuses.
inline constexpr std::int64_t kDefaultMaxHeaders = 100;
inline constexpr std::int64_t kDefaultMaxArgs = 100;

}  // namespace kong
