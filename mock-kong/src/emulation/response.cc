// kong.response: the response the client gets.
#include <fmt/format.h>

#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

constexpr std::string_view kSetHeaderTypes = "array of string, string, number or boolean";
constexpr std::string_view kExitHeaderTypes = "string, number, boolean or array of strings";

std::int64_t checked_status(const Value& status) {
  if (!status.is_number())
    throw LuaError{"code must be a number"};
  const double code = status.as_double();
  if (code < 100 || code > 599)
    throw LuaError{"code must be a number between 100 and 599"};
  return static_cast<std::int64_t>(code);
}

// Each header of a table argument replaces that header (set_headers, exit).
void set_all(Headers& headers, const Value& table, std::string_view types) {
  if (table.is_array() && table.as_array().empty())
    return;  // Kong sends {} as []
  for (const auto& [name, value] : table.as_map()) {
    headers.set(header_name(name), header_values(name, value, types));
  }
}

Value get_status(KongState& s, const Array&) {
  return Value(s.response.status);
}

Value get_header(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (!name.is_text())
    throw LuaError{"header name must be a string"};
  auto v = find_header(s.response.headers, name.text());
  return v ? Value(*v) : Value{};
}

Value get_headers(KongState& s, const Array& args) {
  return limited_multimap(s.response.headers, arg(args, 0));
}

Value set_status(KongState& s, const Array& args) {
  s.response.status = checked_status(arg(args, 0));
  return Value{};
}

Value set_header(KongState& s, const Array& args) {
  const std::string name = header_name(arg(args, 0));
  s.response.headers.set(name, header_values(arg(args, 0), arg(args, 1), kSetHeaderTypes));
  return Value{};
}

Value add_header(KongState& s, const Array& args) {
  const std::string name = header_name(arg(args, 0));
  for (auto& v : header_values(arg(args, 0), arg(args, 1), kSetHeaderTypes)) {
    s.response.headers.add(name, std::move(v));
  }
  return Value{};
}

Value clear_header(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (!name.is_text())
    throw LuaError{"header name must be a string"};
  s.response.headers.clear(name.text());
  return Value{};
}

Value set_headers(KongState& s, const Array& args) {
  const Value& headers = arg(args, 0);
  if (!headers.is_map() && !headers.is_array())
    throw LuaError{"headers must be a table"};
  set_all(s.response.headers, headers, kExitHeaderTypes);
  return Value{};
}

Value exit(KongState& s, const Array& args) {
  const std::int64_t status = checked_status(arg(args, 0));
  const Value& body = arg(args, 1);
  const Value& headers = arg(args, 2);
  if (!body.is_nil() && !body.is_text() && !body.is_map() && !body.is_array()) {
    throw LuaError{"body must be a nil, string or table"};
  }
  if (!headers.is_nil() && !headers.is_map() && !headers.is_array()) {
    throw LuaError{"headers must be a nil or table"};
  }
  Headers out = s.response.headers;
  if (!headers.is_nil())
    set_all(out, headers, kExitHeaderTypes);
  std::string text;
  if (body.is_text()) {
    text = std::string(body.text());
  } else if (!body.is_nil()) {
    // A table body is JSON-encoded (cjson writes an empty table as {}).
    text = body.is_array() && body.as_array().empty() ? "{}" : protocol::value_to_json(body).dump();
    if (!out.contains("content-type"))
      out.set("Content-Type", {"application/json; charset=utf-8"});
  }
  out.set("Content-Length", {std::to_string(text.size())});
  s.response.status = status;
  s.response.headers = std::move(out);
  s.response.body = std::move(text);
  s.response.source = "exit";
  s.exited = true;
  return Value{};
}

}  // namespace

void register_response(Emulation& e) {
  using enum protocol::MethodId;
  e.add(response_get_status, get_status);
  e.add(response_get_header, get_header);
  e.add(response_get_headers, get_headers);
  e.add(response_set_status, set_status);
  e.add(response_set_header, set_header);
  e.add(response_add_header, add_header);
  e.add(response_clear_header, clear_header);
  e.add(response_set_headers, set_headers);
  e.add(response_exit, exit);
}

}  // namespace kong::mock
