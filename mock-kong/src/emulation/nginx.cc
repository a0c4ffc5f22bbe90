// kong.nginx: nginx variables, ngx.ctx, the subsystem and the worker's
// counters. Most of these are plugin_servers' exposed_api, not kong/pdk.
#include "emulation/connection.h"
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

// plugin_servers' exposed_api: plain ngx.var[name], no argument check.
Value get_var(KongState& s, const Array& args) {
  require_request_context(s);
  const Value& name = arg(args, 0);
  if (!name.is_text())
    return Value{};
  const auto value = nginx_var(s, name.text());
  return value ? Value(*value) : Value{};
}

// ngx.ctx fields Kong itself keeps that a plugin may read or replace; the
// consumer and verify override are the ones kong.client reads back.
Value get_ctx(KongState& s, const Array& args) {
  const std::string key = lua_tostring(arg(args, 0));
  if (key == "authenticated_consumer")
    return s.consumer;
  if (key == "authenticated_credential")
    return s.credential;
  if (key == "CLIENT_VERIFY_OVERRIDE")
    return s.client_verify_override ? Value(*s.client_verify_override) : Value{};
  if (const auto it = s.ngx_ctx.find(key); it != s.ngx_ctx.end())
    return it->second;
  if (key == "KONG_PHASE")
    return Value(static_cast<std::int64_t>(protocol::bit(s.phase)));
  if (key == "plugin_id")
    return Value(s.plugin_id);
  if (key == "route" && s.route.is_object())
    return protocol::json_to_value(s.route);
  if (key == "service" && s.service.is_object())
    return protocol::json_to_value(s.service);
  if (key == "KONG_PROCESSING_START")
    return Value(s.started_at_ms);
  return Value{};
}

Value set_ctx(KongState& s, const Array& args) {
  const std::string key = lua_tostring(arg(args, 0));
  const Value& v = arg(args, 1);
  if (key == "authenticated_consumer") {
    s.consumer = v;
  } else if (key == "authenticated_credential") {
    s.credential = v;
  } else if (key == "CLIENT_VERIFY_OVERRIDE") {
    s.client_verify_override =
        v.is_nil() ? std::nullopt : std::optional<std::string>(lua_tostring(v));
  } else if (v.is_nil()) {
    s.ngx_ctx.erase(key);
  } else {
    s.ngx_ctx[key] = v;
  }
  return Value{};
}

Value get_subsystem(KongState& s, const Array&) {
  return Value(s.subsystem);
}

// ngx.ssl.get_tls1_version_str: nil on a plain-text connection.
Value get_tls1_version_str(KongState& s, const Array&) {
  require_ssl_request(s);
  return is_tls(s) ? Value(s.tls.version) : Value{};
}

// Seconds since the epoch, with milliseconds as the fraction.
Value req_start_time(KongState& s, const Array&) {
  return Value(static_cast<double>(s.started_at_ms) / 1000.0);
}

// The stub_status counters of a worker that serves this one request.
Value get_statistics(KongState&, const Array&) {
  Map m;
  m.emplace_back(Value("connections_active"), Value(1));
  m.emplace_back(Value("connections_reading"), Value(0));
  m.emplace_back(Value("connections_writing"), Value(1));
  m.emplace_back(Value("connections_waiting"), Value(0));
  m.emplace_back(Value("connections_accepted"), Value(1));
  m.emplace_back(Value("connections_handled"), Value(1));
  m.emplace_back(Value("total_requests"), Value(1));
  return Value(std::move(m));
}

}  // namespace

void register_nginx(Emulation& e) {
  using enum protocol::MethodId;
  e.add(nginx_get_var, get_var);
  e.add(nginx_get_ctx, get_ctx);
  e.add(nginx_set_ctx, set_ctx);
  e.add(nginx_get_subsystem, get_subsystem);
  e.add(nginx_get_tls1_version_str, get_tls1_version_str);
  e.add(nginx_req_start_time, req_start_time);
  e.add(nginx_get_statistics, get_statistics);
}

}  // namespace kong::mock
