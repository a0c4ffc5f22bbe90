// How Kong's Lua finds a header: nginx's $http_<name>, kong.tools.http's
// get_header, the Lua table ngx.req.get_headers returns, and the
// underscore-folding lookup mock-kong uses for response headers.
#include <algorithm>

#include <fmt/format.h>

#include "kong/protocol/ascii.h"

#include "emulation/emulation.h"

namespace kong::mock {
namespace {

// nginx compares header names for $http_<name> case-folded, "-" as "_".
constexpr char folded(char c) {
  c = protocol::ascii_lower(c);
  return c == '_' ? '-' : c;
}

// Compared in place: a lookup per PDK call must not allocate per line.
bool same_folded(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::ranges::equal(a, b, [](char x, char y) { return folded(x) == folded(y); });
}

}  // namespace

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers.lines()) {
    if (same_folded(n, name))
      return v;
  }
  return std::nullopt;
}

std::optional<std::string> http_var(const Headers& headers, std::string_view name) {
  // ngx_http_variable_headers_internal: every line, joined with ", " (with
  // "; " for Cookie).
  const std::string_view separator = same_folded(name, "cookie") ? "; " : ", ";
  std::optional<std::string> out;
  for (const auto& [n, v] : headers.lines()) {
    if (!same_folded(n, name))
      continue;
    if (out) {
      *out += separator;
      *out += v;
    } else {
      out = v;
    }
  }
  return out;
}

protocol::Value header_table_get(const Headers& headers, const protocol::Value& key) {
  // ngx.req.get_headers() keeps the first 100 lines under lower-case names;
  // its metatable's __index lower-cases the key and, when that misses, tries
  // "_" as "-" (lua-resty-core request.lua).
  if (!key.is_text() && !key.is_number()) {
    throw LuaError{
        fmt::format("bad argument #1 to 'lower' (string expected, got {})", lua_type(key))};
  }
  const HeaderList& all = headers.lines();
  const Headers first100(
      HeaderList(all.begin(), all.begin() + std::min<std::ptrdiff_t>(100, std::ssize(all))));
  const protocol::Value table = first100.to_lua_table();
  const std::string name = lower(lua_tostring(key));
  auto lookup = [&](std::string_view wanted) -> const protocol::Value* {
    for (const auto& [k, v] : table.as_map()) {
      if (k.text() == wanted)
        return &v;
    }
    return nullptr;
  };
  const protocol::Value* found = lookup(name);
  if (found == nullptr && name.find('_') != std::string::npos) {
    std::string dashed = name;
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    found = lookup(dashed);
  }
  return found ? *found : protocol::Value{};
}

std::optional<std::string> kong_get_header(const Headers& headers, std::string_view name) {
  // kong.tools.http.get_header: $http_<name>; when that joined several lines
  // (", " in it), the first of ngx.req.get_headers()[name] instead.
  auto value = http_var(headers, name);
  if (!value || value->find(", ") == std::string::npos)
    return value;
  const protocol::Value v = header_table_get(headers, protocol::Value(std::string(name)));
  if (v.is_array())
    return v.as_array().empty() ? std::nullopt
                                : std::optional<std::string>(std::string(v.as_array()[0].text()));
  if (v.is_text())
    return std::string(v.text());
  return std::nullopt;
}

}  // namespace kong::mock
