// kong.request: the client's request, read-only, as kong/pdk/request.lua.
// In the log phase the handler runs in a timer: what reads ngx.var or
// ngx.req raises, and only Kong's exposed_api overrides (get_header,
// get_headers, get_uri_captures) read the copies saved for it.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "emulation/connection.h"
#include "emulation/emulation.h"
#include "emulation/lua_table.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

// kong.request's is_trusted_ip: the connecting address (kong.client.get_ip).
bool trusted(const KongState& s) {
  return ip_is_trusted(*s.kong, s.client_ip);
}

// kong.request.get_header on nginx's request, as it stands.
std::optional<std::string> header(const KongState& s, std::string_view name) {
  return kong_get_header(s.request.headers, name);
}

// ngx.ctx.host, saved by the router; before it ran (rewrite), the live $host.
std::string host_of(const KongState& s) {
  return s.ctx_host ? *s.ctx_host : nginx_var(s, "host").value_or("");
}

// Kong's tonumber(text, 10) in 1..65535: luajit2 reads base 10 as
// tonumber(text), so "0x1BB" is 443 and "1e2" 100; a fraction stays.
std::optional<Value> port_number(std::string_view text) {
  const auto n = lua_tonumber(text);
  if (!n || *n < 1 || *n > 65535)
    return std::nullopt;
  if (*n == static_cast<double>(static_cast<std::int64_t>(*n)))
    return Value(static_cast<std::int64_t>(*n));
  return Value(*n);
}

// An X-Forwarded-Host without "userinfo@".
std::string_view without_userinfo(std::string_view host) {
  const auto at = host.find('@');
  return at == host.npos ? host : host.substr(at + 1);
}

Value get_scheme(KongState& s, const Array&) {
  require_request_context(s);
  return Value(s.url.scheme);
}

Value get_host(KongState& s, const Array&) {
  require_request_context(s);
  return Value(host_of(s));
}

Value get_port(KongState& s, const Array&) {
  require_request_context(s);
  return Value(s.url.port);
}

Value get_forwarded_scheme(KongState& s, const Array&) {
  require_request_context(s);
  if (trusted(s)) {
    if (auto proto = header(s, "X-Forwarded-Proto"))
      return Value(lower(*proto));
  }
  return Value(s.url.scheme);
}

Value get_forwarded_host(KongState& s, const Array&) {
  require_request_context(s);
  if (trusted(s)) {
    if (auto forwarded = header(s, "X-Forwarded-Host")) {
      const std::string_view host = without_userinfo(*forwarded);
      return Value(lower(host.substr(0, host.find(':'))));
    }
  }
  return Value(host_of(s));
}

Value get_forwarded_port(KongState& s, const Array&) {
  require_request_context(s);
  if (trusted(s)) {
    if (auto port = header(s, "X-Forwarded-Port"); port && port_number(*port))
      return *port_number(*port);
    if (auto forwarded = header(s, "X-Forwarded-Host")) {
      const std::string_view host = without_userinfo(*forwarded);
      if (const auto colon = host.find(':'); colon != host.npos) {
        if (auto port = port_number(host.substr(colon + 1)))
          return *port;
      }
    }
  }
  return Value(s.url.port);
}

Value get_forwarded_path(KongState& s, const Array&) {
  require_request_context(s);
  if (trusted(s)) {
    if (auto path = header(s, "X-Forwarded-Path"))
      return Value(*path);
  }
  return Value(kong_normalize(s.url.path));
}

Value get_forwarded_prefix(KongState& s, const Array&) {
  require_request_context(s);
  if (trusted(s)) {
    if (auto prefix = header(s, "X-Forwarded-Prefix"))
      return Value(*prefix);
  }
  // $upstream_x_forwarded_prefix: "" until the router runs, then what
  // strip_path removed, or unset (nil) when nothing was.
  const auto prefix = nginx_var(s, "upstream_x_forwarded_prefix");
  return prefix ? Value(*prefix) : Value{};
}

Value get_http_version(KongState& s, const Array&) {
  require_request_context(s);
  // ngx.req.http_version(): 1.0, 1.1, 2.0, 3.0; MessagePack sends whole numbers as integers.
  if (s.http_version == "1.0")
    return Value(1);
  if (s.http_version == "1.1")
    return Value(1.1);
  if (s.http_version == "2" || s.http_version == "2.0")
    return Value(2);
  if (s.http_version == "3" || s.http_version == "3.0")
    return Value(3);
  return Value{};
}

Value get_method(KongState& s, const Array&) {
  require_request_context(s);
  return Value(s.request.method);  // ngx.req.get_method: set_method changes it
}

Value get_path(KongState& s, const Array&) {
  require_request_context(s);
  return Value(kong_normalize(s.url.path));
}

Value get_raw_path(KongState& s, const Array&) {
  require_request_context(s);
  return Value(s.url.path);
}

Value get_path_with_query(KongState& s, const Array&) {
  require_request_context(s);
  return Value(nginx_var(s, "request_uri").value_or(""));  // the client's, "/p?" included
}

Value get_raw_query(KongState& s, const Array&) {
  require_request_context(s);
  return Value(s.request.args.value_or(""));  // $args, as set_raw_query left it
}

Value get_query_arg(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (!name.is_text())
    throw LuaError{"query argument name must be a string"};
  require_request_context(s);
  // Looked up in get_query(), which parses the first 100 arguments.
  const auto parsed = parse_query(s.request.args.value_or(""));
  const auto end = parsed.begin() + std::min<std::ptrdiff_t>(100, std::ssize(parsed));
  for (auto a = parsed.begin(); a != end; ++a) {
    if (a->name == name.text())
      return a->value ? Value(*a->value) : Value(true);
  }
  return Value{};
}

Value get_query(KongState& s, const Array& args) {
  const std::int64_t max = checked_limit(arg(args, 0), "max_args");
  require_request_context(s);
  auto decoded = decode_uri_args(s.request.args.value_or(""), max);
  if (decoded.truncated)
    truncated_notice(s, "uri args");
  return Value(std::move(decoded.table));
}

Value get_header(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (s.phase == Phase::log) {
    // exposed_api: saved.request_headers[name], the Lua table taken when the
    // log timer was armed (the request as access left it), first value.
    Value v = header_table_get(s.request.headers, name);
    return v.is_array() ? v.as_array().front() : v;
  }
  if (!name.is_text())
    throw LuaError{"header name must be a string"};
  auto v = header(s, name.text());
  return v ? Value(*v) : Value{};
}

Value get_headers(KongState& s, const Array& args) {
  // exposed_api in log: the saved ngx.req.get_headers(), max_headers ignored
  // (its notice was logged when it was saved).
  if (s.phase == Phase::log)
    return first_header_lines(s.request.headers, kNgxLuaMaxEntries).to_lua_table();
  return limited_multimap(s, s.request.headers, arg(args, 0), "request headers");
}

Value get_start_time(KongState& s, const Array&) {
  return Value(s.started_at_ms);  // ngx.ctx.KONG_PROCESSING_START, saved for log too
}

Value get_uri_captures(KongState& s, const Array&) {
  // Index 0 (the whole match) makes the Lua array a map on the wire; an
  // empty table packs as an empty array (kong-pdk-reference.md).
  Map unnamed;
  Map named;
  if (s.uri_captures.is_object()) {
    if (const auto it = s.uri_captures.find("unnamed"); it != s.uri_captures.end()) {
      std::int64_t i = 0;
      for (const auto& v : *it) {
        auto& entry = unnamed.emplace_back();
        entry.first = Value(i++);
        entry.second = Value(v.get_ref<const std::string&>());
      }
    }
    if (const auto it = s.uri_captures.find("named"); it != s.uri_captures.end()) {
      for (const auto& [k, v] : it->items()) {
        auto& entry = named.emplace_back();
        entry.first = Value(k);
        entry.second = Value(v.get_ref<const std::string&>());
      }
    }
  }
  Map result(2);
  result[0].first = Value("unnamed");
  result[1].first = Value("named");
  result[0].second = Value(Array{});
  result[1].second = Value(Array{});
  if (!unnamed.empty())
    result[0].second = Value(std::move(unnamed));
  if (!named.empty())
    result[1].second = Value(std::move(named));
  return Value(std::move(result));
}

}  // namespace

void register_request(Emulation& e) {
  using enum protocol::MethodId;
  e.add(request_get_scheme, get_scheme);
  e.add(request_get_host, get_host);
  e.add(request_get_port, get_port);
  e.add(request_get_forwarded_scheme, get_forwarded_scheme);
  e.add(request_get_forwarded_host, get_forwarded_host);
  e.add(request_get_forwarded_port, get_forwarded_port);
  e.add(request_get_forwarded_path, get_forwarded_path);
  e.add(request_get_forwarded_prefix, get_forwarded_prefix);
  e.add(request_get_http_version, get_http_version);
  e.add(request_get_method, get_method);
  e.add(request_get_path, get_path);
  e.add(request_get_raw_path, get_raw_path);
  e.add(request_get_path_with_query, get_path_with_query);
  e.add(request_get_raw_query, get_raw_query);
  e.add(request_get_query_arg, get_query_arg);
  e.add(request_get_query, get_query);
  e.add(request_get_header, get_header);
  e.add(request_get_headers, get_headers);
  e.add(request_get_start_time, get_start_time);
  e.add(request_get_uri_captures, get_uri_captures);
}

}  // namespace kong::mock
