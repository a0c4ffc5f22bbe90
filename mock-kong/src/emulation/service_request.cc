// kong.service.request: changes to nginx's one request, which Kong then
// proxies, as kong/pdk/service/request.lua makes them: headers, method, query
// and body through ngx.req (so kong.request.* sees them too), the path and
// scheme through $upstream_uri and $upstream_scheme.
#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "emulation/body.h"
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

// The methods Kong's set_method accepts (case-sensitive).
constexpr std::array<std::string_view, 15> kMethods = {
    "GET",  "HEAD",     "PUT",       "POST", "DELETE", "OPTIONS", "MKCOL", "COPY",
    "MOVE", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "PATCH",   "TRACE"};

// The multipart boundary Kong draws with math.random(1e10) when the mime
// type names none; mock-kong draws the same one every time.
constexpr std::string_view kBoundary = "4926840173";

// A Host header also sets $upstream_host, which Kong sends as the Host.
void note_host(KongState& s, std::string_view name, const std::vector<std::string>& values) {
  if (lower(name) == "host" && !values.empty())
    s.upstream_vars.host = values.front();
}

Value set_header(KongState& s, const Array& args) {
  const std::string name = header_name(arg(args, 0));
  auto values = header_values(arg(args, 0), arg(args, 1), kSetHeaderTypes);
  note_host(s, name, values);
  if (lower(name) == ":authority") {
    const std::string& scheme = s.upstream_vars.scheme;
    if (scheme != "grpc" && scheme != "grpcs")
      return Value{};  // nil, "cannot set :authority pseudo-header on non-grpc requests"
    s.upstream_vars.host = values.front();
    return Value(true);
  }
  s.request.headers.set(name, values);
  return Value{};
}

Value add_header(KongState& s, const Array& args) {
  const std::string name = header_name(arg(args, 0));
  const Value& value = arg(args, 1);
  auto values = header_values(arg(args, 0), value, kSetHeaderTypes);
  note_host(s, name, values);
  // Kong sets the header to its current lines plus the new value, as one
  // more entry: a table value (an array too) becomes one line, its tostring().
  // The first line stays where it was, the others move to the end.
  if (lua_type(value) == "table")
    values = {std::string(kLuaTableText)};
  auto lines = s.request.headers.all(name);
  lines.insert(lines.end(), values.begin(), values.end());
  s.request.headers.set(name, lines);
  return Value{};
}

Value clear_header(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (!name.is_text())
    throw LuaError{"header must be a string"};
  s.request.headers.clear(name.text());
  return Value{};
}

Value set_headers(KongState& s, const Array& args) {
  const Value& headers = arg(args, 0);
  if (lua_type(headers) != "table")
    throw LuaError{"headers must be a table"};
  if (!headers.is_map())
    return Value{};  // {} arrives as []
  // validate_headers checks every entry before any is set.
  std::vector<std::pair<std::string, std::vector<std::string>>> checked;
  for (const auto& [name, value] : headers.as_map())
    checked.emplace_back(header_name(name), header_values(name, value, kHeaderTableTypes));
  for (const auto& [name, values] : checked) {
    note_host(s, name, values);
    s.request.headers.set(name, values);
  }
  return Value{};
}

Value set_path(KongState& s, const Array& args) {
  const Value& path = arg(args, 0);
  if (!path.is_text())
    throw LuaError{"path must be a string"};
  if (!path.text().starts_with("/"))
    throw LuaError{"path must start with /"};
  // $upstream_uri, through kong.tools.uri.escape; the query is added after access.
  s.upstream_vars.uri = kong_uri_escape(path.text());
  return Value{};
}

Value set_method(KongState& s, const Array& args) {
  const Value& method = arg(args, 0);
  if (!method.is_text())
    throw LuaError{"method must be a string"};
  if (std::find(kMethods.begin(), kMethods.end(), method.text()) == kMethods.end()) {
    throw LuaError{fmt::format("invalid method: {}", method.text())};
  }
  s.request.method = std::string(method.text());
  return Value{};
}

Value set_raw_query(KongState& s, const Array& args) {
  const Value& query = arg(args, 0);
  if (!query.is_text())
    throw LuaError{"query must be a string"};
  s.request.args = nginx_escape_args(query.text());
  return Value{};
}

Value set_query(KongState& s, const Array& args) {
  const Value& query = arg(args, 0);
  if (lua_type(query) != "table")
    throw LuaError{"args must be a table"};
  s.request.args = nginx_escape_args(encode_ordered_args(query));
  return Value{};
}

Value set_scheme(KongState& s, const Array& args) {
  const Value& scheme = arg(args, 0);
  if (!scheme.is_text())
    throw LuaError{"scheme must be a string"};
  if (scheme.text() != "http" && scheme.text() != "https")
    throw LuaError{fmt::format("invalid scheme: {}", scheme.text())};
  s.upstream_vars.scheme = std::string(scheme.text());
  return Value{};
}

// ngx.req.set_body_data: the body, and a Content-Length that follows it.
void set_body_data(KongState& s, std::string body) {
  s.request.headers.set("Content-Length", {std::to_string(body.size())});
  s.request.body = std::move(body);
}

Value set_raw_body(KongState& s, const Array& args) {
  const Value& body = arg(args, 0);
  if (!body.is_text())
    throw LuaError{"body must be a string"};
  set_body_data(s, std::string(body.text()));
  return Value{};
}

// Kong's multipart encoder: keys sorted, each value tostring'ed.
std::string multipart(const Value& table, std::string_view boundary) {
  std::vector<std::pair<std::string, std::string>> fields;
  bool has_boolean = false;
  if (table.is_map()) {
    for (const auto& [k, v] : table.as_map()) {
      if (!k.is_text()) {
        throw LuaError{
            fmt::format("invalid key {}: got {}, expected string", lua_quote(k), lua_type(k))};
      }
      if (lua_type(v) != "string" && lua_type(v) != "number" && lua_type(v) != "boolean") {
        throw LuaError{fmt::format("invalid value {}: got {}, expected string, number or boolean",
                                   lua_quote(k), lua_type(v))};
      }
      // string.buffer's put takes strings and numbers only: a boolean passes
      // the check above and fails here.
      if (v.is_bool())
        has_boolean = true;
      fields.emplace_back(std::string(k.text()), lua_tostring(v));
    }
  }
  if (has_boolean)
    throw LuaError{"bad argument #1 to 'put' (string/number/__tostring expected, got boolean)"};
  std::sort(fields.begin(), fields.end());
  std::string out;
  for (const auto& [k, v] : fields) {
    out += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n",
                       boundary, k, v);
  }
  return out + fmt::format("--{}--\r\n", boundary);
}

Value set_body(KongState& s, const Array& args) {
  const Value& table = arg(args, 0);
  const Value& mime_arg = arg(args, 1);
  if (lua_type(table) != "table")
    throw LuaError{"args must be a table"};
  const bool given = !mime_arg.is_nil() && !(mime_arg.is_bool() && !mime_arg.as_bool());
  if (given && !mime_arg.is_text())
    throw LuaError{"mime must be a string"};
  std::string mime;
  if (given) {
    mime = std::string(mime_arg.text());
  } else if (auto header = kong_get_header(s.request.headers, "Content-Type")) {
    mime = *header;
  } else {
    // nil, "content type was neither explicitly given as an argument or received as a header"
    return Value{};
  }
  const std::string bare = mime.substr(0, mime.find(';'));
  std::string body;
  std::string content_type = mime;
  if (bare == "application/x-www-form-urlencoded") {
    body = encode_ordered_args(table);
  } else if (bare == "application/json") {
    body = cjson_encode(table);
  } else if (bare == "multipart/form-data") {
    std::string boundary(kBoundary);
    if (const auto at = mime.find("boundary="); at != std::string::npos) {
      boundary = mime.substr(at + 9);
      if (boundary.starts_with('"'))
        boundary = boundary.substr(1, boundary.find('"', 1) - 1);
    }
    body = multipart(table, boundary);
    content_type = "multipart/form-data; boundary=" + boundary;
  } else {
    throw LuaError{"unsupported content type " + mime};
  }
  set_body_data(s, std::move(body));
  s.request.headers.set("Content-Type", {content_type});
  return Value(true);
}

Value enable_buffering(KongState& s, const Array&) {
  s.buffered_proxying = true;
  return Value{};
}

Value disable_tls(KongState& s, const Array&) {
  s.balancer.tls_disabled = true;
  return Value(true);
}

}  // namespace

void register_service_request(Emulation& e) {
  using enum protocol::MethodId;
  e.add(service_request_set_header, set_header);
  e.add(service_request_add_header, add_header);
  e.add(service_request_clear_header, clear_header);
  e.add(service_request_set_headers, set_headers);
  e.add(service_request_set_path, set_path);
  e.add(service_request_set_method, set_method);
  e.add(service_request_set_raw_query, set_raw_query);
  e.add(service_request_set_query, set_query);
  e.add(service_request_set_scheme, set_scheme);
  e.add(service_request_set_raw_body, set_raw_body);
  e.add(service_request_set_body, set_body);
  e.add(service_request_enable_buffering, enable_buffering);
  e.add(service_request_disable_tls, disable_tls);
}

}  // namespace kong::mock
