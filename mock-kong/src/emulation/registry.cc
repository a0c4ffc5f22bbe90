#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

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
  // Every Lua number is a double, printed with "%.14g": 1e14 prints as "1e+14".
  if (v.is_number()) {
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
  // luajit2 (since v2.1-20211210) quotes any value as its tostring(). A table
  // prints its address, which mock-kong cannot know: a fixed one stands in.
  const std::string text = lua_type(v) == "table" ? std::string(kLuaTableText) : lua_tostring(v);
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\\n";  // a backslash, then the newline itself
    } else if (c < 0x20 || c == 0x7f) {
      // Decimal, padded to three digits when a digit follows.
      const bool digit_next =
          i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]));
      out += digit_next ? fmt::format("\\{:03d}", c) : fmt::format("\\{}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

protocol::Value lua_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9.2e18)
    return protocol::Value(static_cast<std::int64_t>(d));
  return protocol::Value(d);
}

std::optional<double> lua_tonumber(std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    return std::nullopt;
  while (!text.empty() && lua_isspace(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && lua_isspace(text.back()))
    text.remove_suffix(1);
  const std::string number(text);
  std::string_view unsigned_part = number;
  const bool negative = unsigned_part.starts_with('-');
  if (negative || unsigned_part.starts_with('+'))
    unsigned_part.remove_prefix(1);
  const std::string word = lower(unsigned_part);
  if (word == "inf" || word == "infinity")
    return negative ? -HUGE_VAL : HUGE_VAL;
  if (word == "nan")
    return std::nan("");
  if (word.starts_with("0b")) {
    if (word.size() == 2 || word.find_first_not_of("01", 2) != std::string::npos)
      return std::nullopt;
    double n = 0;
    for (std::size_t i = 2; i < word.size(); ++i)
      n = n * 2 + (word[i] - '0');
    return negative ? -n : n;
  }
  // strtod reads the decimal and hex forms; words (infinity, nan(...)) are
  // settled above.
  if (word.empty() || !(std::isdigit(static_cast<unsigned char>(word[0])) || word[0] == '.'))
    return std::nullopt;
  char* end = nullptr;
  const double n = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size())
    return std::nullopt;
  return n;
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
  // nginx sends an empty value as a single space.
  auto one = [](std::string s) {
    if (s.empty())
      s = " ";
    return s;
  };
  std::vector<std::string> out;
  if (value.is_text() || value.is_number() || value.is_bool()) {
    out.push_back(one(lua_tostring(value)));
    return out;
  }
  // A table is checked with ipairs: a map, or an empty array, has nothing to
  // check and passes; set as no values, it clears the header (checks.lua).
  if (value.is_map() || (value.is_array() && value.as_array().empty()))
    return out;
  if (value.is_array()) {
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
    return kNgxLuaMaxEntries;
  if (!v.is_number())
    throw LuaError{fmt::format("{} must be a number", what)};
  const double n = v.as_double();
  if (n < 1)
    throw LuaError{fmt::format("{} must be >= 1", what)};
  if (n > 1000)
    throw LuaError{fmt::format("{} must be <= 1000", what)};
  return static_cast<std::int64_t>(n);
}

void truncated_notice(KongState& s, std::string_view what) {
  s.log.push_back({"notice", fmt::format("{} truncated", what), s.phase});
}

Headers response_header_lines(const Headers& headers) {
  HeaderList lines = headers.lines();
  if (!headers.contains("connection"))
    lines.insert(lines.begin(), {"connection", "keep-alive"});
  return Headers(std::move(lines));
}

Headers first_header_lines(const Headers& headers, std::int64_t max) {
  HeaderList lines = headers.lines();
  if (static_cast<std::int64_t>(lines.size()) > max)
    lines.resize(static_cast<std::size_t>(max));
  return Headers(std::move(lines));
}

protocol::Value limited_multimap(KongState& s, const Headers& headers,
                                 const protocol::Value& max_headers, std::string_view what) {
  const std::int64_t max = checked_limit(max_headers, "max_headers");
  HeaderList lines = headers.lines();
  if (static_cast<std::int64_t>(lines.size()) > max) {
    lines.resize(static_cast<std::size_t>(max));
    truncated_notice(s, what);
  }
  return Headers(std::move(lines)).to_lua_table();
}

}  // namespace kong::mock
