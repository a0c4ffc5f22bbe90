// kong.service: where and how Kong connects upstream, as kong/pdk/service.lua.
// The settings are recorded in the state (ngx.ctx.balancer_data and the
// upstream TLS options) for expectations and later calls to read.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "emulation/emulation.h"
#include "state/cidr.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

// Lua's `type(n) ~= "number" or floor(n) ~= n` check, then the range.
std::int64_t checked_integer(const Value& v, std::string_view what, double min, double max) {
  if (!v.is_number() || std::floor(v.as_double()) != v.as_double())
    throw LuaError{fmt::format("{} must be an integer", what)};
  if (v.as_double() < min || v.as_double() > max) {
    throw LuaError{fmt::format("{} must be an integer between {} and {}: given {}", what,
                               static_cast<std::int64_t>(min), static_cast<std::int64_t>(max),
                               lua_tostring(v))};
  }
  return static_cast<std::int64_t>(v.as_double());
}

Value set_upstream(KongState& s, const Array& args) {
  const Value& host = arg(args, 0);
  if (!host.is_text())
    throw LuaError{"host must be a string"};
  if (find_upstream(*s.kong, host.text()) == nullptr) {
    s.soft_error = fmt::format("could not find an Upstream named '{}'", host.text());
    return Value{};
  }
  s.soft_error.clear();
  s.balancer.host = std::string(host.text());
  return Value(true);
}

Value set_target(KongState& s, const Array& args) {
  const Value& host = arg(args, 0);
  if (!host.is_text())
    throw LuaError{"host must be a string"};
  const std::int64_t port = checked_integer(arg(args, 1), "port", 0, 65535);
  // ngx.ctx.balancer_data exists from the router on (runloop access.before):
  // in rewrite Kong's set_target indexes nil.
  if (!s.routed && s.subsystem == "http")
    throw LuaError{"attempt to index field 'balancer_data' (a nil value)"};
  s.balancer.host = std::string(host.text());
  s.balancer.port = port;
  s.upstream_vars.host = std::string(host.text());  // ngx.var.upstream_host, without the port
  return Value{};
}

Value set_retries(KongState& s, const Array& args) {
  s.balancer.retries = checked_integer(arg(args, 0), "retries", 0, 32767);
  return Value{};
}

Value set_timeouts(KongState& s, const Array& args) {
  const std::int64_t connect = checked_integer(arg(args, 0), "connect_timeout", 1, 2147483646);
  const std::int64_t write = checked_integer(arg(args, 1), "write_timeout", 1, 2147483646);
  const std::int64_t read = checked_integer(arg(args, 2), "read_timeout", 1, 2147483646);
  s.balancer.connect_timeout = connect;
  s.balancer.write_timeout = write;
  s.balancer.read_timeout = read;
  return Value{};
}

Value set_target_retry_callback(KongState&, const Array&) {
  // A Lua function cannot travel over RPC: whatever arrives is not one.
  throw LuaError{"retry_callback must be a function"};
}

Value set_tls_verify(KongState& s, const Array& args) {
  const Value& on = arg(args, 0);
  if (!on.is_bool())
    throw LuaError{"argument must be a boolean"};
  s.balancer.tls_verify = on.as_bool();
  return Value(true);
}

Value set_tls_verify_depth(KongState& s, const Array& args) {
  const Value& depth = arg(args, 0);
  if (!depth.is_number())
    throw LuaError{"argument must be a number"};
  // resty.kong.tls's set_upstream_ssl_verify_depth.
  if (depth.as_double() < 0)
    throw LuaError{"depth expects a non-negative integer but found " + lua_tostring(depth)};
  s.balancer.tls_verify_depth = static_cast<std::int64_t>(depth.as_double());
  return Value(true);
}

}  // namespace

UpstreamPeer balancer_peer(const KongState& s) {
  if (s.balancer.target)
    return *s.balancer.target;
  const bool service = s.service.is_object();
  const std::string default_host(kDefaultServiceHost);
  return {s.balancer.host.value_or(service ? s.service.value("host", default_host) : default_host),
          s.balancer.port.value_or(service ? s.service.value("port", std::int64_t{80}) : 80)};
}

std::string peer_address(const UpstreamPeer& peer) {
  return parse_ip(peer.host) ? peer.host : "127.0.0.1";
}

void register_service(Emulation& e) {
  using enum protocol::MethodId;
  e.add(service_set_upstream, set_upstream);
  e.add(service_set_target, set_target);
  e.add(service_set_retries, set_retries);
  e.add(service_set_timeouts, set_timeouts);
  e.add(service_set_target_retry_callback, set_target_retry_callback);
  e.add(service_set_tls_verify, set_tls_verify);
  e.add(service_set_tls_verify_depth, set_tls_verify_depth);
}

}  // namespace kong::mock
