#pragma once

#include <bitset>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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

/// The first value of `name` in `lines` (names compare ignoring case);
/// nullptr when there is none.
const std::string* first_header(const HeaderList& lines, std::string_view name);

/// Header lines in order; lookups ignore case, as nginx's do.
class Headers {
 public:
  Headers() = default;
  explicit Headers(HeaderList lines) : lines_(std::move(lines)) {}

  /// First value of `name`, or nullopt.
  std::optional<std::string> first(std::string_view name) const;
  /// The same without a copy: nullptr when there is none.
  const std::string* find(std::string_view name) const { return first_header(lines_, name); }
  /// Every value of `name`, in order.
  std::vector<std::string> all(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }

  /// Replaces every line of `name` with `values` as nginx does: the first line
  /// keeps its place and spelling, further values go to the end.
  void set(std::string_view name, std::vector<std::string> values);
  /// The same with one value, without a list to build: Kong's own headers,
  /// set on every response.
  void set_value(std::string_view name, std::string value);
  /// Appends a line (kong.*.add_header).
  void add(std::string_view name, std::string value);
  /// Removes every line of `name`.
  void clear(std::string_view name);

  /// As ngx.req.get_headers returns them: lower-case names, a string for
  /// one value, an array for several (emulation/lua_table.h).
  protocol::Value to_lua_table() const;
  const HeaderList& lines() const { return lines_; }
  /// Room for `n` lines without growing.
  void reserve(std::size_t n) { lines_.reserve(n); }

 private:
  /// Gives the first line of `name` `value` (moved from it), keeping its
  /// place and spelling, and removes the others (all when `value` is
  /// nullopt); whether there was one.
  bool replace_lines(std::string_view name, std::optional<std::string>& value);

  HeaderList lines_;
};

/// Where Kong measures time, mock-kong reports fixed milliseconds, the same
/// in kong.log.serialize's latencies and in the X-Kong-*-Latency headers:
/// Kong's own work (KONG_PROXY_LATENCY, KONG_RESPONSE_LATENCY), the
/// upstream's (KONG_WAITING_TIME) and the whole request ($request_time).
inline constexpr std::int64_t kKongLatencyMs = 1;
inline constexpr std::int64_t kUpstreamLatencyMs = 2;
inline constexpr std::int64_t kRequestTimeMs = 3;
/// Kong's _SERVER_TOKENS (kong/meta.lua) for the Kong mock-kong follows, in
/// Server and Via.
inline constexpr std::string_view kServerTokens = "kong/3.10.0";

/// The default workspace's id, which Kong's entities, plugin configurations
/// and log records carry.
inline constexpr std::string_view kWorkspaceId = "8a1f36c2-1f5b-4b63-9a0e-0c6f1c0b7d21";

/// A line written with kong.log.*.
struct LogLine {
  std::string level;  // "info", "err", ...
  std::string message;
  Phase phase;
  /// The plugin that wrote it, when several run; empty with one.
  std::string plugin = {};
};

/// One PDK call the plugin made, as mock-kong answered it.
struct TraceEntry {
  Phase phase;
  std::string method;
  protocol::Value args;
  protocol::Value result;
  std::string error;  // Kong's error text when the call raised
  /// The plugin that made it, when several run; empty with one.
  std::string plugin = {};
};

/// Everything Kong knows about one request: what the PDK emulation reads
/// and writes, and what the expectations compare.
struct KongState {
  Phase phase = Phase::access;

  // The client's request as received. nginx keeps it ($request, $request_uri,
  // $request_length, the addresses its realip module computed at post-read);
  // no plugin can change it.
  std::string method;
  Url url;
  std::string http_version;
  Headers received_headers;
  std::string received_body;
  std::string client_ip;
  std::int64_t client_port = 0;
  nlohmann::json route;
  nlohmann::json service;

  /// nginx's one request (r->method_name, r->args, r->headers_in,
  /// r->request_body). kong.request.* read it through ngx.req and ngx.var,
  /// kong.service.request.* change it through ngx.req, and Kong proxies it:
  /// after kong.service.request.set_header("X-Foo", "new"),
  /// kong.request.get_header("X-Foo") is "new" too.
  struct NginxRequest {
    std::string method;
    /// $args: nullopt when the URI has no query ("/p", "/p?");
    /// set_raw_query("") makes it "".
    std::optional<std::string> args;
    Headers headers;
    std::string body;
  } request;

  /// The variables Kong's proxy location declares empty and its runloop fills
  /// before the access handlers run (runner/runloop.h): what the path, scheme
  /// and Host of the upstream request will be.
  struct UpstreamVars {
    std::string scheme;  // $upstream_scheme: the service's; set_scheme
    std::string uri;     // $upstream_uri: the router's path; set_path; "?args" after access
    std::string host;    // $upstream_host: the service's host[:port], or preserve_host's
    /// $upstream_x_forwarded_prefix: what strip_path removed; unset (nil) once
    /// routed without one.
    std::optional<std::string> x_forwarded_prefix = std::string();
  } upstream_vars;
  /// ngx.ctx.host: $host as the router saw it; kong.request.get_host from access on.
  std::optional<std::string> ctx_host;

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
  /// A PDK call raised in the certificate phase: the TLS handshake failed,
  /// so there is no response (status 0) and no later phase.
  bool handshake_failed = false;

  // ---- routing, proxying and kong.service.* (request.cc, service*.cc, router.cc) ----
  /// Regex captures of the route's path match (case `uri_captures`):
  /// {"unnamed": [whole match, 1, 2, ...], "named": {name: value}}; null: none.
  nlohmann::json uri_captures;
  /// Kong's runloop matched the route and prepared the balancer (access.before):
  /// ngx.ctx.route, service and balancer_data exist.
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
    /// The target the Upstream entity's ring balancer chose, when the
    /// balancer's host names one.
    std::optional<UpstreamPeer> target;
    /// nginx refused the peer Kong's balancer chose (set_current_peer):
    /// the request ended in a 500 without reaching the upstream.
    bool peer_refused = false;
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
  /// Node-wide settings from the fixture top level (never null).
  std::shared_ptr<const KongSettings> kong = default_kong_settings();
  /// The error a function that answers `nil, err` gave on its latest call
  /// ("" when it succeeded). MsgPack:1 drops it; tests and traces read it.
  std::string soft_error;

  std::vector<LogLine> log;
  std::vector<TraceEntry> trace;
  /// The PDK functions the plugin called, for coverage: bit i for the
  /// MethodId of value i.
  std::bitset<protocol::kMethodCount> exercised;
};

/// The state at the start of a case, built from its fixture entry.
Result<KongState> initial_state(const Case& c);
/// The same into `s`, a fresh KongState: a state is large to move.
Status initial_state(const Case& c, KongState& s);

/// The request Kong sends upstream: nginx's request with the upstream
/// variables' path, query and Host (`proxy_pass $upstream_scheme://...$upstream_uri`,
/// `proxy_set_header Host $upstream_host`), as `expect.service_request`
/// compares it and the echo upstream answers it.
struct UpstreamRequest {
  std::string method;
  std::string scheme;
  std::string path;
  std::string raw_query;
  Headers headers;
  std::string body;
};
UpstreamRequest upstream_request(const KongState& s);

}  // namespace kong::mock
