#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "emulation/emulation.h"

namespace kong::mock {

const Emulation& Emulation::get() {
  static const Emulation emulation = [] {
    Emulation e;
    register_client(e);
    register_client_tls(e);
    register_cluster(e);
    register_ip(e);
    register_nginx(e);
    register_node(e);
    register_plugin(e);
    register_telemetry(e);
    register_vault(e);
    register_ctx(e);
    register_log(e);
    register_request(e);
    register_response(e);
    register_service_request(e);
    register_request_body(e);
    register_service(e);
    register_service_response(e);
    register_router(e);
    return e;
  }();
  return emulation;
}

const protocol::Value& arg(const protocol::Array& args, std::size_t i) {
  static const protocol::Value nil;
  return i < args.size() ? args[i] : nil;
}

std::string_view lua_type(const protocol::Value& v) {
  if (v.is_nil())
    return "nil";
  if (v.is_bool())
    return "boolean";
  if (v.is_number())
    return "number";
  if (v.is_text())
    return "string";
  return "table";
}

std::string lua_tostring(const protocol::Value& v) {
  if (v.is_nil())
    return "nil";
  if (v.is_bool())
    return v.as_bool() ? "true" : "false";
  if (v.is_int())
    return std::to_string(v.as_int());
  if (v.is_double()) {
    const double d = v.as_double();
    if (std::isnan(d))
      return "nan";
    if (std::isinf(d))
      return d > 0 ? "inf" : "-inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.14g", d);
    return buf;
  }
  if (v.is_text())
    return std::string(v.text());
  return protocol::value_to_json(v).dump();
}

std::string lua_quote(const protocol::Value& v) {
  // LuaJIT's %q takes its argument as a string, so a number is quoted too:
  // string.format("%q", 1) is "\"1\"".
  if (!v.is_text() && !v.is_number())
    return lua_tostring(v);
  const std::string text = lua_tostring(v);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string header_name(const protocol::Value& name) {
  if (!name.is_text()) {
    throw LuaError{fmt::format("invalid header name {}: got {}, expected string", lua_quote(name),
                               lua_type(name))};
  }
  return std::string(name.text());
}

std::vector<std::string> header_values(const protocol::Value& name, const protocol::Value& value,
                                       std::string_view what) {
  auto one = [](std::string s) { return s.empty() ? std::string(" ") : s; };
  if (value.is_text() || value.is_number() || value.is_bool())
    return {one(lua_tostring(value))};
  if (value.is_array() && !value.as_array().empty()) {
    std::vector<std::string> out;
    for (const auto& item : value.as_array()) {
      if (!item.is_text()) {
        throw LuaError{fmt::format("invalid header value in array {}: got {}, expected string",
                                   lua_quote(name), lua_type(item))};
      }
      out.push_back(one(std::string(item.text())));
    }
    return out;
  }
  throw LuaError{fmt::format("invalid header value for {}: got {}, expected {}", lua_quote(name),
                             lua_type(value), what)};
}

std::int64_t checked_limit(const protocol::Value& v, std::string_view what) {
  if (v.is_nil())
    return 100;
  if (!v.is_number())
    throw LuaError{fmt::format("{} must be a number", what)};
  const double n = v.as_double();
  if (n < 1)
    throw LuaError{fmt::format("{} must be >= 1", what)};
  if (n > 1000)
    throw LuaError{fmt::format("{} must be <= 1000", what)};
  return static_cast<std::int64_t>(n);
}

protocol::Value limited_multimap(const Headers& headers, const protocol::Value& max_headers) {
  const std::int64_t max = checked_limit(max_headers, "max_headers");
  HeaderList lines = headers.lines();
  if (static_cast<std::int64_t>(lines.size()) > max)
    lines.resize(static_cast<std::size_t>(max));
  return Headers(std::move(lines)).to_lua_table();
}

}  // namespace kong::mock
