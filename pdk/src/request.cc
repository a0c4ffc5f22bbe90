#include "kong/pdk/request.h"

namespace kong {

std::optional<std::string> Request::get_query_arg(std::string_view name) {
  protocol::Value v = channel_.call(protocol::methods::request_get_query_arg, name);
  // Lua answers `true` for a flag without "="; C++ callers get its empty value.
  if (v.is_bool() && v.as_bool())
    return std::string();
  std::optional<std::string> out;
  if (!protocol::from_value(v, out)) {
    throw PdkError(protocol::methods::request_get_query_arg.info().name,
                   "expected string, true or nil result, got " +
                       std::string(protocol::type_name(v)) + " " + protocol::to_debug_string(v));
  }
  return out;
}

}  // namespace kong
