#include "kong/pdk/config.h"

namespace kong::config_detail {

std::string describe(const nlohmann::json& j) {
  using T = nlohmann::json::value_t;
  switch (j.type()) {
    case T::null: return "null";
    case T::boolean: return "boolean " + j.dump();
    case T::number_integer:
    case T::number_unsigned: return "integer " + j.dump();
    case T::number_float: return "number " + j.dump();
    case T::string: return "string " + j.dump();
    case T::array: return "array";
    case T::object: return "object";
    default: return "value";
  }
}

Error wrong_type(std::string_view path, std::string_view expected, const nlohmann::json& got) {
  return Error{std::string(path.empty() ? "config" : path) + ": expected " + std::string(expected) +
               ", got " + describe(got)};
}

Error out_of_range(std::string_view path, std::int64_t lo, std::int64_t hi, const nlohmann::json& got) {
  return Error{std::string(path) + ": expected an integer between " + std::to_string(lo) + " and " +
               std::to_string(hi) + ", got " + got.dump()};
}

}  // namespace kong::config_detail
