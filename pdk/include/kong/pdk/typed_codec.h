#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/pdk/config.h"
#include "kong/pdk/types.h"
#include "kong/protocol/json_value.h"
#include "kong/protocol/value.h"

/// Conversions between the C++ types of the method table and wire values:
/// to_value() for arguments, from_value() for results. One overload per type,
/// no per-method code. They live next to the Value they make, in
/// kong::protocol, but are built with the PDK's types (kong::pdk_types), which
/// kong::protocol does not need.
namespace kong::protocol {

inline Value to_value(const std::string& s) {
  return Value(s);
}
inline Value to_value(std::string_view s) {
  return Value(s);
}
inline Value to_value(const char* s) {
  return Value(s);
}
inline Value to_value(bool b) {
  return Value(b);
}
inline Value to_value(int i) {
  return Value(i);
}
inline Value to_value(std::int64_t i) {
  return Value(i);
}
inline Value to_value(double d) {
  return Value(d);
}
inline Value to_value(const Bytes& b) {
  return Value(b);
}
inline Value to_value(const Value& v) {
  return v;
}
inline Value to_value(const HeaderValue& h) {
  return h.value();
}
inline Value to_value(const Body& b) {
  return b.value();
}
inline Value to_value(const nlohmann::json& j) {
  return json_to_value(j);
}
Value to_value(const MultiMap& m);
Value to_value(const UriCaptures& c);
/// What a call that ends the event returns to no one: nil.
inline Value to_value(NoReturn) {
  return Value{};
}
/// Kong's entities (entity::Consumer, ...): the map of their fields().
template <config_detail::Record T>
Value to_value(const T& record) {
  return json_to_value(config_detail::write(record));
}
template <class T>
Value to_value(const std::optional<T>& o) {
  return o ? to_value(*o) : Value{};
}

/// Each from_value() stores the result in `out`, or returns false when the
/// value has the wrong type (the caller names the PDK function).
bool from_value(const Value& v, std::string& out);
bool from_value(const Value& v, bool& out);
bool from_value(const Value& v, std::int64_t& out);
bool from_value(const Value& v, int& out);
bool from_value(const Value& v, double& out);
bool from_value(const Value& v, Bytes& out);
bool from_value(const Value& v, MultiMap& out);
bool from_value(const Value& v, nlohmann::json& out);
bool from_value(const Value& v, UriCaptures& out);
template <config_detail::Record T>
bool from_value(const Value& v, T& out) {
  // Kong's MessagePack encoder writes an empty table as an empty array.
  const bool empty_table = v.is_array() && v.as_array().empty();
  if (!v.is_map() && !empty_table)
    return false;
  out = T{};
  return static_cast<bool>(
      config_detail::read(empty_table ? nlohmann::json::object() : value_to_json(v), out, "entity",
                          config_detail::UnknownKeys::ignore));
}
inline bool from_value(const Value& v, Value& out) {
  out = v;
  return true;
}
template <class T>
bool from_value(const Value& v, std::optional<T>& out) {
  if (v.is_nil()) {
    out.reset();
    return true;
  }
  T t{};
  if (!from_value(v, t))
    return false;
  out = std::move(t);
  return true;
}

/// The wire type a C++ type decodes from, for error messages.
template <class T>
constexpr std::string_view wire_type_name() {
  if constexpr (std::is_same_v<T, std::string>)
    return "string";
  else if constexpr (std::is_same_v<T, bool>)
    return "boolean";
  else if constexpr (std::is_integral_v<T>)
    return "integer";
  else if constexpr (std::is_floating_point_v<T>)
    return "number";
  else if constexpr (std::is_same_v<T, Bytes>)
    return "bytes";
  else if constexpr (std::is_same_v<T, MultiMap>)
    return "map of string lists";
  else if constexpr (config_detail::Record<T> || std::is_same_v<T, UriCaptures>)
    return "map";
  else
    return "value";
}

template <class T>
struct optional_traits {
  static constexpr bool optional = false;
  using type = T;
};
template <class T>
struct optional_traits<std::optional<T>> {
  static constexpr bool optional = true;
  using type = T;
};

/// What a result of C++ type T must be on the wire: "string", "string or nil".
template <class T>
std::string expected_type_name() {
  using Traits = optional_traits<T>;
  return std::string(wire_type_name<typename Traits::type>()) + (Traits::optional ? " or nil" : "");
}

}  // namespace kong::protocol
