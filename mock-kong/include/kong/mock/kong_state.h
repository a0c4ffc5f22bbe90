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
#include "kong/mock/url.h"
#include "kong/protocol/method_table.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

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

  /// As ngx.req.get_headers returns them: lower-case names, a string for
  /// one value, an array for several (emulation/lua_table.h).
  protocol::Value to_lua_table() const;
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

  // ---- routing, proxying and kong.service.* (request.cc, service*.cc, router.cc) ----
  /// Regex captures of the route's path match (case `uri_captures`):
  /// {"unnamed": [whole match, 1, 2, ...], "named": {name: value}}; null: none.
  nlohmann::json uri_captures;
  /// $upstream_x_forwarded_prefix: the path prefix the router stripped, once
  /// routed (from `access` on); nullopt when nothing was stripped.
  std::optional<std::string> stripped_prefix;
  bool routed = false;
  /// ngx.ctx.buffered_proxying: a response handler or enable_buffering.
  bool buffered_proxying = false;
  /// ngx.ctx.KONG_PROXIED: the upstream answered.
  bool proxied = false;
  /// $kong_request_id, as Kong's error pages show it.
  std::string request_id = "6c1f3b2a0e9d48c7b5a4f3e2d1c0b9a8";
  /// ngx.ctx.balancer_data and the upstream TLS settings, as kong.service.* set them.
  struct Balancer {
    std::optional<std::string> host;  // set_target or set_upstream
    std::optional<std::int64_t> port;
    std::optional<std::int64_t> retries;
    std::optional<std::int64_t> connect_timeout;
    std::optional<std::int64_t> write_timeout;
    std::optional<std::int64_t> read_timeout;
    std::optional<bool> tls_verify;
    std::optional<std::int64_t> tls_verify_depth;
    bool tls_disabled = false;
    /// $upstream_host: the Host sent upstream (set_target, a Host header).
    std::optional<std::string> upstream_host;
  } balancer;

  std::map<std::string, protocol::Value, std::less<>> ctx_shared;

  // ---- kong.client, kong.nginx, kong.log.serialize, kong.plugin (client.cc, nginx.cc, ...) ----
  /// "http" or "stream" (the case's subsystem).
  std::string subsystem = "http";
  /// The client's TLS session; used when the URL is https.
  FixtureTls tls;
  /// ngx.ctx.CLIENT_VERIFY_OVERRIDE (kong.client.tls.set_client_verify).
  std::optional<std::string> client_verify_override;
  /// ngx.ctx.authenticated_consumer / authenticated_credential (nil: none).
  protocol::Value consumer;
  protocol::Value credential;
  /// ngx.ctx keys written with kong.nginx.set_ctx.
  std::map<std::string, protocol::Value, std::less<>> ngx_ctx;
  /// nginx variables the case sets (a value) or unsets (nullopt).
  std::map<std::string, std::optional<std::string>> nginx_vars;
  /// One kong.log.set_serialize_value call; `in_log`: made by the log handler,
  /// after Kong took its serialize() snapshot, so it changes nothing.
  struct SerializeEdit {
    std::string key;
    protocol::Value value;
    std::string mode;  // "set", "add", "replace"
    bool in_log = false;
  };
  std::vector<SerializeEdit> serialize_edits;
  /// ngx.ctx.plugin_id: the config's __plugin_id (kong.plugin.get_id).
  std::string plugin_id = "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a";
  /// When the request started, in milliseconds since the epoch.
  std::int64_t started_at_ms = 1700000000000;
  /// Node-wide settings from the fixture top level.
  KongSettings kong;
  /// The error a function that answers `nil, err` gave on its latest call
  /// ("" when it succeeded). MsgPack:1 drops it; tests and traces read it.
  std::string soft_error;

  std::vector<LogLine> log;
  std::vector<TraceEntry> trace;
  /// The PDK functions the plugin called, for coverage.
  std::set<protocol::MethodId> exercised;
};

/// The state at the start of a case, built from its fixture entry.
Result<KongState> initial_state(const Case& c);

}  // namespace kong::mock
