#include "kong/protocol/json_value.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <variant>

namespace kong::protocol {

Value json_to_value(const nlohmann::json& j) {
  using T = nlohmann::json::value_t;
  switch (j.type()) {
    case T::null:
    case T::discarded:
      return Value{};
    case T::boolean:
      return Value(j.get<bool>());
    case T::number_integer:
      return Value(j.get<std::int64_t>());
    case T::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return Value(static_cast<double>(u));
      }
      return Value(static_cast<std::int64_t>(u));
    }
    case T::number_float:
      return Value(j.get<double>());
    case T::string:
      return Value(j.get_ref<const std::string&>());
    case T::binary: {
      const auto& b = j.get_binary();
      return Value(Bytes{std::string(b.begin(), b.end())});
    }
    case T::array: {
      Array a;
      a.reserve(j.size());
      for (const auto& e : j)
        a.push_back(json_to_value(e));
      return Value(std::move(a));
    }
    case T::object: {
      Map m;
      m.reserve(j.size());
      for (const auto& [k, v] : j.items())
        m.emplace_back(Value(k), json_to_value(v));
      return Value(std::move(m));
    }
  }
  return Value{};
}

nlohmann::json value_to_json(const Value& v) {
  struct Visitor {
    nlohmann::json operator()(const Nil&) const { return nullptr; }
    nlohmann::json operator()(bool b) const { return b; }
    nlohmann::json operator()(std::int64_t i) const { return i; }
    nlohmann::json operator()(double d) const { return d; }
    nlohmann::json operator()(const std::string& s) const { return s; }
    // JSON has no bytes: Lua strings are bytes, so Kong's JSON shows them as strings.
    nlohmann::json operator()(const Bytes& b) const { return b.data; }
    nlohmann::json operator()(const Array& a) const {
      auto j = nlohmann::json::array();
      for (const auto& e : a)
        j.push_back(value_to_json(e));
      return j;
    }
    nlohmann::json operator()(const Map& m) const {
      auto j = nlohmann::json::object();
      for (const auto& [k, e] : m) {
        j[k.is_text() ? std::string(k.text()) : to_debug_string(k)] = value_to_json(e);
      }
      return j;
    }
  };
  return std::visit(Visitor{}, v.variant());
}

}  // namespace kong::protocol
