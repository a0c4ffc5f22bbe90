#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "kong/mock/kong_state.h"
#include "kong/mock/lua_error.h"
#include "kong/protocol/json_value.h"
#include "kong/protocol/method_table.h"

namespace kong::mock {

/// Kong's implementation of one PDK function, reading and writing the state.
/// Arguments are as the plugin sent them; a missing one is nil, as in Lua.
using Handler = protocol::Value (*)(KongState& state, const protocol::Array& args);

/// The emulation of every PDK function, one handler per table entry.
class Emulation {
 public:
  /// The registry, filled by the emulation/*.cc files.
  static const Emulation& get();

  /// The handler of `id`, or nullptr when the emulation lacks it.
  Handler find(protocol::MethodId id) const { return handlers_[static_cast<std::size_t>(id)]; }
  void add(protocol::MethodId id, Handler h) { handlers_[static_cast<std::size_t>(id)] = h; }

 private:
  std::array<Handler, protocol::kMethodCount> handlers_{};
};

// One per Kong namespace, each in its own file.
void register_client(Emulation& e);
void register_ctx(Emulation& e);
void register_log(Emulation& e);
void register_request(Emulation& e);
void register_response(Emulation& e);
void register_service_request(Emulation& e);
void register_request_body(Emulation& e);
void register_service(Emulation& e);
void register_service_response(Emulation& e);
void register_router(Emulation& e);
void register_client_tls(Emulation& e);
void register_cluster(Emulation& e);
void register_ip(Emulation& e);
void register_nginx(Emulation& e);
void register_node(Emulation& e);
void register_plugin(Emulation& e);
void register_telemetry(Emulation& e);
void register_vault(Emulation& e);

// ---- Lua's view of wire values, for Kong's argument checks and messages ----

/// The i-th argument, nil when the plugin sent fewer.
const protocol::Value& arg(const protocol::Array& args, std::size_t i);
/// Lua's type(): "nil", "boolean", "number", "string", "table".
std::string_view lua_type(const protocol::Value& v);
/// Lua's tostring() (tables, which Lua prints as an address, as JSON).
std::string lua_tostring(const protocol::Value& v);
/// LuaJIT's tonumber(text): decimal, hex ("0x1BB", with "p" exponents),
/// binary ("0b101"), inf and nan, around optional whitespace; nullopt when
/// Lua answers nil.
std::optional<double> lua_tonumber(std::string_view text);
/// kong.vault.get(reference) from the fixture's `vault`: the secret, or
/// nullopt and Kong's error.
std::optional<std::string> resolve_vault_reference(const KongSettings& kong,
                                                   const std::string& reference,
                                                   std::string& error);
/// A Lua number as Kong's bridge sends it: integral as an integer.
protocol::Value lua_number(double d);
/// luajit2's string.format("%q", v): any value as its tostring(), quoted
/// (a table as "table: 0x..." with a fixed address).
std::string lua_quote(const protocol::Value& v);
/// tostring() of a Lua table prints its address, which mock-kong cannot know:
/// this fixed one stands in wherever Kong would print a table.
inline constexpr std::string_view kLuaTableText = "table: 0x0000deadbeef";

/// The expected types Kong's "invalid header value" errors list: set_header
/// and add_header say one, set_headers and exit (validate_headers) the other.
inline constexpr std::string_view kSetHeaderTypes = "array of string, string, number or boolean";
inline constexpr std::string_view kHeaderTableTypes = "string, number, boolean or array of strings";

/// Values of a header as Kong's set_header/add_header accept them: a string,
/// number or boolean (converted with tostring), or an array of strings. An
/// empty string is sent as a single space, as nginx cannot send an empty value.
/// Raises Kong's "invalid header ..." errors; `what` is the expected list in
/// the message (kSetHeaderTypes or kHeaderTableTypes).
std::vector<std::string> header_values(const protocol::Value& name, const protocol::Value& value,
                                       std::string_view what);
/// Raises Kong's "invalid header name %q: got %s, expected string".
std::string header_name(const protocol::Value& name);
// ---- finding a header (header_lookup.cc) ----

/// The first line of a header, the name compared case-insensitively with "_"
/// matching "-" (the response headers' lookup).
std::optional<std::string> find_header(const Headers& headers, std::string_view name);
/// nginx's $http_<name>: every line of the header, joined with ", " ("; " for
/// Cookie); nullopt when there is none.
std::optional<std::string> http_var(const Headers& headers, std::string_view name);
/// `ngx.req.get_headers()[key]`: the first 100 lines as a Lua table, looked up
/// lower-cased, then with "_" as "-"; a string, an array of several, or nil.
/// A key Lua cannot lower-case raises string.lower's error.
protocol::Value header_table_get(const Headers& headers, const protocol::Value& key);
/// kong.tools.http.get_header, which kong.request.get_header is: $http_<name>,
/// or the first line when that joined several.
std::optional<std::string> kong_get_header(const Headers& headers, std::string_view name);
/// Kong's globalpatches log "<what> truncated" at notice level when ngx_lua's
/// header and argument readers stop at their limit.
void truncated_notice(KongState& s, std::string_view what);
/// ngx_lua's default limit for header and argument tables (lua_max_req_headers,
/// lua_max_resp_headers, lua_max_uri_args, lua_max_post_args; Kong keeps 100).
inline constexpr std::int64_t kNgxLuaMaxEntries = 100;
/// Lua's %s (isspace in the C locale): space, \t, \n, \v, \f, \r.
inline bool lua_isspace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}
/// The checked max_headers / max_args argument (1..1000, default 100).
std::int64_t checked_limit(const protocol::Value& v, std::string_view what);
/// kong.*.get_headers: the first `max_headers` lines (checked) as a multimap.
/// kong.response.error's answer (kong/pdk/response.lua): the error template
/// Content-Type, Accept or gRPC call for, with `message` or the status's
/// default text; `source` is what kong.response.get_source answers after it.
void send_error(KongState& s, std::int64_t status, const std::optional<std::string>& message,
                const protocol::Value& headers, std::string source);
/// The matched route and its service as Kong's database holds them: the
/// case's objects with the schema's defaults, ids and timestamps for what
/// they leave out (router.cc).
nlohmann::json route_entity(const KongState& s);
nlohmann::json service_entity(const KongState& s);
/// kong.response.exit in a stream session (stream_session.cc).
protocol::Value stream_exit(KongState& s, const protocol::Array& args);
/// Ends a stream session with `status`, having sent the client `sent` and
/// nothing else.
void end_stream_session(KongState& s, std::int64_t status, std::string sent);
/// The service host Kong proxies to when the fixture names none.
inline constexpr std::string_view kDefaultServiceHost = "127.0.0.1";
/// Where the balancer sends the request: the Upstream target it chose, else
/// set_target's host and port, else the service's (127.0.0.1:80 by default).
UpstreamPeer balancer_peer(const KongState& s);
/// The address nginx connects to for `peer`: the host when it is an IP
/// address; a name resolves to 127.0.0.1, mock-kong's stand-in for DNS.
std::string peer_address(const UpstreamPeer& peer);
/// A request Kong cannot go on with: its error page for 500 ("An unexpected
/// error occurred"); a stream session closes, status 500, without a byte.
void fail_with_500(KongState& s);
/// nginx's own page for `status`, as Kong's nginx sends it (nginx_pages.cc).
std::optional<std::string> nginx_error_page(std::int64_t status);

/// The response headers as ngx.resp.get_headers lists them: nginx's
/// Connection header first ("keep-alive": mock-kong's client keeps its
/// connection), counted in the limit (ngx_http_lua_headers.c).
Headers response_header_lines(const Headers& headers);
/// The first `max` lines of `headers`.
Headers first_header_lines(const Headers& headers, std::int64_t max);
/// Logs Kong's "<what> truncated" notice when there are more lines than that.
protocol::Value limited_multimap(KongState& s, const Headers& headers,
                                 const protocol::Value& max_headers, std::string_view what);

}  // namespace kong::mock
