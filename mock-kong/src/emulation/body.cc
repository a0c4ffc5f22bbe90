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

// ngx.req.get_post_args.
Value decode_form(std::string_view body, std::int64_t max_args) {
  return table_value(decode_args(body, max_args));
}

// A parameter of a header value: boundary=x, name="x".
std::optional<std::string> header_param(std::string_view value, std::string_view param) {
  const std::string lowered = lower(value);
  std::size_t at = 0;
  while ((at = lowered.find(std::string(param) + "=", at)) != std::string::npos) {
    const bool starts = at == 0 || lowered[at - 1] == ';' || lowered[at - 1] == ' ';
    at += param.size() + 1;
    if (!starts)
      continue;
    std::string_view rest = value.substr(at);
    if (rest.starts_with('"')) {
      const auto close = rest.find('"', 1);
      return std::string(rest.substr(1, close == std::string_view::npos ? rest.npos : close - 1));
    }
    return std::string(trim(rest.substr(0, rest.find(';'))));
  }
  return std::nullopt;
}

// lua-multipart's get_all_with_arrays: each part's content under its
// Content-Disposition name; nullopt when the body cannot be split.
std::optional<Value> decode_multipart(std::string_view body, std::string_view content_type) {
  const auto boundary = header_param(content_type, "boundary");
  if (!boundary || boundary->empty())
    return std::nullopt;
  const std::string delimiter = "--" + *boundary;
  Map table;
  std::size_t at = body.find(delimiter);
  while (at != std::string_view::npos) {
    std::size_t start = at + delimiter.size();
    if (body.substr(start, 2) == "--")
      break;  // the closing delimiter
    start = body.find('\n', start);
    if (start == std::string_view::npos)
      break;
    ++start;
    const std::size_t next = body.find(delimiter, start);
    std::string_view part = body.substr(start, next == body.npos ? body.npos : next - start);
    if (part.ends_with("\r\n"))
      part.remove_suffix(2);
    else if (part.ends_with("\n"))
      part.remove_suffix(1);
    // Headers up to the first empty line, then the content.
    std::optional<std::string> name;
    std::size_t line_start = 0;
    for (;;) {
      const std::size_t eol = part.find('\n', line_start);
      if (eol == part.npos)
        return std::nullopt;
      std::string_view line = part.substr(line_start, eol - line_start);
      if (line.ends_with('\r'))
        line.remove_suffix(1);
      line = trim(line);
      line_start = eol + 1;
      if (line.empty())
        break;
      const auto colon = line.find(':');
      if (colon != line.npos && lower(trim(line.substr(0, colon))) == "content-disposition")
        name = header_param(line.substr(colon + 1), "name");
    }
    if (name)
      add_to_lua_table(table, *name, Value(std::string(part.substr(line_start))));
    at = next;
  }
  return table_value(std::move(table));
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
    return {decode_form(body, max), "", std::string(kForm)};
  }
  if (mime.starts_with(kJson)) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !(json.is_object() || json.is_array()))
      return {Value{}, "invalid json body", std::string(kJson)};
    return {lua_from_json(json), "", std::string(kJson)};
  }
  if (mime.starts_with(kMultipart)) {
    auto parts = decode_multipart(body, *content_type);
    if (!parts)
      return {Value{}, "unable to decode multipart body", std::string(kMultipart)};
    return {std::move(*parts), "", std::string(kMultipart)};
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
      // cjson reads every number as a double; MessagePack sends integral ones as integers.
      const double d = j.get<double>();
      if (std::floor(d) == d && std::fabs(d) < 9.2e18)
        return Value(static_cast<std::int64_t>(d));
      return Value(d);
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
      if (pieces.empty())
        continue;  // an empty table adds nothing, as in Kong's encode_args
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
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~')
      out.push_back(c);
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

}  // namespace kong::mock
