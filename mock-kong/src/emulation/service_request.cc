// kong.service.request: the request Kong sends upstream.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

// The methods Kong's set_method accepts (case-sensitive).
constexpr std::array<std::string_view, 15> kMethods = {
    "GET",  "HEAD",     "PUT",       "POST", "DELETE", "OPTIONS", "MKCOL", "COPY",
    "MOVE", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "PATCH",   "TRACE"};

Value set_header(KongState& s, const Array& args) {
  const std::string name = header_name(arg(args, 0));
  s.service_request.headers.set(name, header_values(arg(args, 0), arg(args, 1),
                                                    "array of string, string, number or boolean"));
  return Value{};
}

Value set_path(KongState& s, const Array& args) {
  const Value& path = arg(args, 0);
  if (!path.is_text())
    throw LuaError{"path must be a string"};
  if (!path.text().starts_with("/"))
    throw LuaError{"path must start with /"};
  s.service_request.path = std::string(path.text());
  return Value{};
}

Value set_method(KongState& s, const Array& args) {
  const Value& method = arg(args, 0);
  if (!method.is_text())
    throw LuaError{"method must be a string"};
  if (std::find(kMethods.begin(), kMethods.end(), method.text()) == kMethods.end()) {
    throw LuaError{fmt::format("invalid method: {}", method.text())};
  }
  s.service_request.method = std::string(method.text());
  return Value{};
}

Value set_raw_query(KongState& s, const Array& args) {
  const Value& query = arg(args, 0);
  if (!query.is_text())
    throw LuaError{"query must be a string"};
  s.service_request.raw_query = std::string(query.text());
  return Value{};
}

}  // namespace

void register_service_request(Emulation& e) {
  using enum protocol::MethodId;
  e.add(service_request_set_header, set_header);
  e.add(service_request_set_path, set_path);
  e.add(service_request_set_method, set_method);
  e.add(service_request_set_raw_query, set_raw_query);
}

}  // namespace kong::mock
