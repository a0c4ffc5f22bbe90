// How Kong's Lua finds a header: nginx's $http_<name>, kong.tools.http's
// get_header, the Lua table ngx.req.get_headers returns, and the
// underscore-folding lookup mock-kong uses for response headers.
#include <algorithm>

#include <fmt/format.h>

#include "emulation/emulation.h"

namespace kong::mock {
namespace {

// nginx compares header names for $http_<name> case-folded, "-" as "_".
std::string folded(std::string_view name) {
  std::string k = lower(name);
  std::replace(k.begin(), k.end(), '_', '-');
  return k;
}

}  // namespace

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  const std::string wanted = folded(name);
  for (const auto& [n, v] : headers.lines()) {
    if (folded(n) == wanted)
      return v;
  }
  return std::nullopt;
}

std::optional<std::string> http_var(const Headers& headers, std::string_view name) {
  // ngx_http_variable_headers_internal: every line, joined with ", " (with
  // "; " for Cookie).
  const std::string wanted = folded(name);
  const std::string_view separator = wanted == "cookie" ? "; " : ", ";
  std::optional<std::string> out;
  for (const auto& [n, v] : headers.lines()) {
    if (folded(n) != wanted)
      continue;
    out = out ? *out + std::string(separator) + v : v;
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
