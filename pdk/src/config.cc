#include "kong/pdk/config.h"

#include <cmath>

namespace kong::config_detail {

std::string describe(const nlohmann::json& j) {
  using T = nlohmann::json::value_t;
  switch (j.type()) {
    case T::null:
      return "null";
    case T::boolean:
      return "boolean " + j.dump();
    case T::number_integer:
    case T::number_unsigned:
      return "integer " + j.dump();
    case T::number_float:
      return "number " + j.dump();
    case T::string:
      return "string " + j.dump();
    case T::array:
      return "array";
    case T::object:
      return "object";
    default:
      return "value";
  }
}

Error wrong_type(std::string_view path, std::string_view expected, const nlohmann::json& got) {
  return Error{std::string(path.empty() ? "config" : path) + ": expected " + std::string(expected) +
               ", got " + describe(got)};
}

Error out_of_range(std::string_view path, const std::string& lo, const std::string& hi,
                   const nlohmann::json& got) {
  return Error{std::string(path) + ": expected integer between " + lo + " and " + hi + ", got " +
               got.dump()};
}

std::optional<std::int64_t> json_integer(const nlohmann::json& j) {
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (j.is_number_integer())
    return j.get<std::int64_t>();
  if (j.is_number_float()) {
    const double d = j.get<double>();
    if (std::trunc(d) == d && std::abs(d) <= 9007199254740992.0)
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

bool within(const nlohmann::json& j, std::int64_t lo, std::int64_t hi) {
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    return hi >= 0 && u <= static_cast<std::uint64_t>(hi) &&
           (lo <= 0 || u >= static_cast<std::uint64_t>(lo));
  }
  if (j.is_number_integer())
    return j.get<std::int64_t>() >= lo && j.get<std::int64_t>() <= hi;
  if (j.is_number_float()) {
    const double d = j.get<double>();
    return d >= static_cast<double>(lo) && d <= static_cast<double>(hi);
  }
  return true;
}

}  // namespace kong::config_detail
