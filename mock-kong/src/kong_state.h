#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/mock/fixture.h"
#include "kong/protocol/method_table.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

#include "url.h"

namespace kong::mock {

/// Header lines in order; lookups ignore case, as nginx's do.
class Headers {
 public:
  Headers() = default;
  explicit Headers(HeaderList lines) : lines_(std::move(lines)) {}

  /// First value of `name`, or nullopt.
  std::optional<std::string> first(std::string_view name) const;
  /// Every value of `name`, in order.
  std::vector<std::string> all(std::string_view name) const;
  bool contains(std::string_view name) const { return first(name).has_value(); }

  /// Replaces every line of `name` with `values` (kong.*.set_header).
  void set(std::string_view name, const std::vector<std::string>& values);
  /// Appends a line (kong.*.add_header).
  void add(std::string_view name, std::string value);
  /// Removes every line of `name`.
  void clear(std::string_view name);

  /// Kong's multimap: lower-case names, each with all its values.
  protocol::Value to_multimap() const;
  const HeaderList& lines() const { return lines_; }

 private:
  HeaderList lines_;
};

/// A line written with kong.log.*.
struct LogLine {
  std::string level;  // "info", "err", ...
  std::string message;
  Phase phase;
};

/// One PDK call the plugin made, as mock-kong answered it.
struct TraceEntry {
  Phase phase;
  std::string method;
  protocol::Value args;
  protocol::Value result;
  std::string error;  // Kong's error text when the call raised
};

/// Everything Kong knows about one request: what the PDK emulation reads
/// and writes, and what the expectations compare.
struct KongState {
  Phase phase = Phase::access;

  // The request as the client sent it (read-only to plugins).
  std::string method;
  Url url;
  std::string http_version;
  Headers request_headers;
  std::string request_body;
  std::string client_ip;
  std::int64_t client_port = 0;
  nlohmann::json route;
  nlohmann::json service;

  // The request Kong sends upstream; plugins change it in rewrite and access.
  struct ServiceRequest {
    std::string method;
    std::string scheme;
    std::string path;
    std::string raw_query;
    Headers headers;
    std::string body;
  } service_request;

  // The upstream's answer, once proxied.
  std::optional<FixtureUpstream> upstream_response;

  // The response the client gets.
  struct Response {
    std::int64_t status = 200;
    Headers headers;
    std::string body;
    /// kong.response.get_source: "service", "exit" or "error".
    std::string source = "service";
  } response;

  /// kong.response.exit (or a Kong error) ended the request.
  bool exited = false;

  std::map<std::string, protocol::Value, std::less<>> ctx_shared;
  std::vector<LogLine> log;
  std::vector<TraceEntry> trace;
  /// The PDK functions the plugin called, for coverage.
  std::set<protocol::MethodId> exercised;
};

/// The state at the start of a case, built from its fixture entry.
Result<KongState> initial_state(const Case& c);

}  // namespace kong::mock
