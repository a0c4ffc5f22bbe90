#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace kong {

/// A byte string: request and response bodies. Travels as MessagePack `bin`,
/// where a `std::string` travels as `str`.
struct Bytes {
  std::string data;

  std::string_view view() const { return data; }
  bool operator==(const Bytes&) const = default;
};

}  // namespace kong

namespace kong::protocol {

class Value;

/// Absent value: MessagePack nil, Lua nil.
struct Nil {
  bool operator==(const Nil&) const = default;
};
using Array = std::vector<Value>;
/// Map entries in wire order. Keys are usually strings, but Kong sends integer
/// keys too (URI captures), so a key is any value.
using Map = std::vector<std::pair<Value, Value>>;

/// One value of the wire protocols: what MessagePack can carry, with integers
/// widened to 64 bits. Lua has no integer type, so Kong sends every number
/// without a fraction as an integer; `as_double()` accepts both.
class Value {
 public:
  using Variant = std::variant<Nil, bool, std::int64_t, double, std::string, Bytes, Array, Map>;

  Value() = default;
  Value(Nil) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(std::int64_t{i}) {}
  Value(long i) : v_(std::int64_t{i}) {}
  Value(long long i) : v_(std::int64_t{i}) {}
  Value(unsigned u) : v_(std::int64_t{u}) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(Bytes b) : v_(std::move(b)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Map m) : v_(std::move(m)) {}

  bool is_nil() const { return std::holds_alternative<Nil>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_int() const { return std::holds_alternative<std::int64_t>(v_); }
  bool is_double() const { return std::holds_alternative<double>(v_); }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_bytes() const { return std::holds_alternative<Bytes>(v_); }
  bool is_array() const { return std::holds_alternative<Array>(v_); }
  bool is_map() const { return std::holds_alternative<Map>(v_); }

  /// Accessors; each requires the matching is_*() to be true.
  bool as_bool() const { return std::get<bool>(v_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  double as_double() const {
    return is_int() ? static_cast<double>(as_int()) : std::get<double>(v_);
  }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Bytes& as_bytes() const { return std::get<Bytes>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Map& as_map() const { return std::get<Map>(v_); }
  Map& as_map() { return std::get<Map>(v_); }

  /// Text of a `str` or a `bin`: Kong's Lua strings are byte strings, and
  /// peers differ in which form they pick. Requires is_string() or is_bytes().
  std::string_view text() const { return is_bytes() ? as_bytes().view() : as_string(); }
  bool is_text() const { return is_string() || is_bytes(); }

  /// The value under a string key of a map; nullptr when absent or not a map.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key) {
    return const_cast<Value*>(static_cast<const Value&>(*this).find(key));
  }

  const Variant& variant() const { return v_; }
  Variant& variant() { return v_; }
  bool operator==(const Value&) const = default;

 private:
  Variant v_;
};

/// Lower-case name of a value's type as error messages print it: "nil",
/// "boolean", "integer", "number", "string", "bytes", "array", "map".
std::string_view type_name(const Value& v);

/// Human-readable rendering for diagnostics (JSON-like, bytes as b"...").
std::string to_debug_string(const Value& v);

}  // namespace kong::protocol
