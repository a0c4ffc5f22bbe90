// Kong's body parsing (get_body) and encoding (set_body, set_query), as
// kong/pdk/request.lua, lua-multipart, lua-cjson and ngx.encode_args do it.
#include "emulation/body.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "kong/mock/url.h"

#include "emulation/emulation.h"
#include "emulation/lua_table.h"
#include "emulation/multipart.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

constexpr std::string_view kForm = "application/x-www-form-urlencoded";
constexpr std::string_view kJson = "application/json";
constexpr std::string_view kMultipart = "multipart/form-data";

// Kong's MessagePack packs an empty Lua table as an empty array.
Value table_value(Map table) {
  return table.empty() ? Value(Array{}) : Value(std::move(table));
}

void cjson_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '/':
        out += "\\/";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        else
          out.push_back(c);
    }
  }
  out.push_back('"');
}

void cjson_value(std::string& out, const Value& v) {
  if (v.is_nil()) {
    out += "null";
  } else if (v.is_bool()) {
    out += v.as_bool() ? "true" : "false";
  } else if (v.is_number()) {
    if (v.is_double() && !std::isfinite(v.as_double()))
      throw LuaError{"Cannot serialise number: must not be NaN or Infinity"};
    out += lua_tostring(v);
  } else if (v.is_text()) {
    cjson_string(out, v.text());
  } else if (v.is_array()) {
    if (v.as_array().empty()) {
      out += "{}";  // cjson cannot tell an empty array from an empty object
      return;
    }
    out.push_back('[');
    for (std::size_t i = 0; i < v.as_array().size(); ++i) {
      if (i > 0)
        out.push_back(',');
      cjson_value(out, v.as_array()[i]);
    }
    out.push_back(']');
  } else {
    out.push_back('{');
    bool first = true;
    for (const auto& [k, e] : v.as_map()) {
      if (!first)
        out.push_back(',');
      first = false;
      cjson_string(out, k.is_text() ? std::string(k.text()) : lua_tostring(k));
      out.push_back(':');
      cjson_value(out, e);
    }
    out.push_back('}');
  }
}

// One value of ngx.encode_args: "k=v", "k" for true, nothing for false.
void encode_arg(std::vector<std::string>& pieces, const std::string& key, const Value& v) {
  if (v.is_bool()) {
    if (v.as_bool())
      pieces.push_back(key);
  } else if (v.is_text() || v.is_number()) {
    const std::string text = v.is_text() ? std::string(v.text()) : lua_tostring(v);
    pieces.push_back(key + "=" + escape_uri_component(text));
  } else {
    throw LuaError{fmt::format("attempt to use {} as query arg value", lua_type(v))};
  }
}

}  // namespace

ParsedBody parse_body(const std::optional<std::string>& content_type, const Value& max_args,
                      std::string_view body) {
  if (!content_type)
    return {Value{}, "missing content type", ""};
  std::string mime = lower(*content_type);
  mime = mime.substr(0, mime.find(';'));
  if (mime.starts_with(kForm)) {
    const std::int64_t max = checked_limit(max_args, "max_args");
    auto args = decode_form_args(body, max);
    return {table_value(std::move(args.table)), "", std::string(kForm), args.truncated};
  }
  if (mime.starts_with(kJson)) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !(json.is_object() || json.is_array()))
      return {Value{}, "invalid json body", std::string(kJson)};
    return {lua_from_json(json), "", std::string(kJson)};
  }
  if (mime.starts_with(kMultipart)) {
    // lua-multipart always answers a table: Kong's "unable to decode
    // multipart body" cannot happen.
    return {decode_multipart(body, *content_type), "", std::string(kMultipart)};
  }
  return {Value{}, "unsupported content type '" + *content_type + "'", mime};
}

Value lua_from_json(const nlohmann::json& j) {
  using T = nlohmann::json::value_t;
  switch (j.type()) {
    case T::boolean:
      return Value(j.get<bool>());
    case T::number_integer:
      return Value(j.get<std::int64_t>());
    case T::number_unsigned:
    case T::number_float: {
      // cjson reads every number as a double.
      return lua_number(j.get<double>());
    }
    case T::string:
      return Value(j.get<std::string>());
    case T::array: {
      Array a;
      for (const auto& e : j)
        a.push_back(lua_from_json(e));
      return Value(std::move(a));
    }
    case T::object: {
      Map m;
      for (const auto& [k, e] : j.items())
        m.emplace_back(Value(k), lua_from_json(e));
      return table_value(std::move(m));
    }
    default:
      return Value{};
  }
}

std::string cjson_encode(const Value& v) {
  std::string out;
  cjson_value(out, v);
  return out;
}

std::string encode_ordered_args(const Value& args) {
  std::vector<std::string> out;
  if (args.is_map()) {
    for (const auto& [k, v] : args.as_map()) {
      if (!k.is_text())
        throw LuaError{"arg keys must be strings"};
      const std::string key = escape_uri_component(k.text());
      std::vector<std::string> pieces;
      if (v.is_array()) {
        for (const auto& item : v.as_array())
          encode_arg(pieces, key, item);
      } else if (v.is_map()) {
        for (const auto& [unused, item] : v.as_map())
          encode_arg(pieces, key, item);
      } else {
        encode_arg(pieces, key, v);
      }
      // make_ordered_args encodes each key on its own: a key with nothing to
      // send (false, an empty table) still gives its "" piece, which sorts
      // first and leaves a leading "&" (kong/pdk/service/request.lua).
      std::string piece;
      for (const auto& p : pieces)
        piece += (piece.empty() ? "" : "&") + p;
      out.push_back(std::move(piece));
    }
  } else if (args.is_array() && !args.as_array().empty()) {
    throw LuaError{"arg keys must be strings"};  // a Lua sequence has number keys
  }
  std::sort(out.begin(), out.end());
  std::string joined;
  for (std::size_t i = 0; i < out.size(); ++i)
    joined += (i > 0 ? "&" : "") + out[i];
  return joined;
}

std::string escape_uri_component(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    // NGX_ESCAPE_URI_COMPONENT (ngx_http_lua_util.c) leaves ! ' ( ) * too.
    if (std::isalnum(u) || std::string_view("-._~!'()*").find(c) != std::string_view::npos)
      out.push_back(c);
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

}  // namespace kong::mock
