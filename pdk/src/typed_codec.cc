#include "kong/pdk/typed_codec.h"

#include <cmath>
#include <limits>

namespace kong {

Body::Body(const nlohmann::json& j) : v_(protocol::json_to_value(j)) {}

}  // namespace kong

namespace kong::protocol {

Value to_value(const MultiMap& m) {
  Map out;
  out.reserve(m.size());
  for (const auto& [name, values] : m) {
    Array a(values.begin(), values.end());
    out.emplace_back(Value(name), Value(std::move(a)));
  }
  return Value(std::move(out));
}

Value to_value(const UriCaptures& c) {
  Array unnamed(c.unnamed.begin(), c.unnamed.end());
  Map named;
  for (const auto& [name, value] : c.named)
    named.emplace_back(Value(name), Value(value));
  Map out;
  out.emplace_back(Value("unnamed"), Value(std::move(unnamed)));
  out.emplace_back(Value("named"), Value(std::move(named)));
  return Value(std::move(out));
}

bool from_value(const Value& v, std::string& out) {
  if (!v.is_text())
    return false;
  out = std::string(v.text());
  return true;
}

bool from_value(const Value& v, bool& out) {
  if (!v.is_bool())
    return false;
  out = v.as_bool();
  return true;
}

bool from_value(const Value& v, std::int64_t& out) {
  if (v.is_int()) {
    out = v.as_int();
    return true;
  }
  // Lua numbers are doubles; an integral one is an integer.
  if (v.is_double() && std::trunc(v.as_double()) == v.as_double() &&
      std::abs(v.as_double()) < 9.007199254740992e15) {
    out = static_cast<std::int64_t>(v.as_double());
    return true;
  }
  return false;
}

bool from_value(const Value& v, int& out) {
  std::int64_t i = 0;
  if (!from_value(v, i) || i < std::numeric_limits<int>::min() ||
      i > std::numeric_limits<int>::max()) {
    return false;
  }
  out = static_cast<int>(i);
  return true;
}

bool from_value(const Value& v, double& out) {
  if (!v.is_number())
    return false;
  out = v.as_double();
  return true;
}

bool from_value(const Value& v, Bytes& out) {
  if (!v.is_text())
    return false;
  out = Bytes{std::string(v.text())};
  return true;
}

bool from_value(const Value& v, MultiMap& out) {
  out.clear();
  // Kong's MessagePack encoder writes an empty table as an empty array.
  if (v.is_array() && v.as_array().empty())
    return true;
  if (!v.is_map())
    return false;
  for (const auto& [k, e] : v.as_map()) {
    if (!k.is_text())
      return false;
    auto& values = out[std::string(k.text())];
    if (e.is_text()) {
      values.emplace_back(e.text());
    } else if (e.is_array()) {
      // A flag repeated next to values (`?a=1&a`) is a true among them.
      for (const auto& item : e.as_array()) {
        if (item.is_text())
          values.emplace_back(item.text());
        else if (!(item.is_bool() && item.as_bool()))
          return false;
      }
    } else if (!(e.is_bool() && e.as_bool())) {  // true: a query flag, no values
      return false;
    }
  }
  return true;
}

bool from_value(const Value& v, nlohmann::json& out) {
  out = value_to_json(v);
  return true;
}

bool from_value(const Value& v, UriCaptures& out) {
  out = UriCaptures{};
  if (v.is_array() && v.as_array().empty())
    return true;
  if (!v.is_map())
    return false;
  auto text_of = [](const Value& e, std::string& s) {
    if (!e.is_text())
      return false;
    s = std::string(e.text());
    return true;
  };
  for (const auto& [k, e] : v.as_map()) {
    if (!k.is_text())
      return false;
    if (k.text() == "unnamed") {
      // Index 0 (the whole match) makes Lua's array a map {0: ..., 1: ...}
      // on the wire; a plain array is accepted too.
      if (e.is_array()) {
        for (const auto& item : e.as_array()) {
          if (!text_of(item, out.unnamed.emplace_back()))
            return false;
        }
      } else if (e.is_map()) {
        for (const auto& [index, item] : e.as_map()) {
          if (!index.is_int() || index.as_int() < 0 || index.as_int() > 1000)
            return false;
          const auto i = static_cast<std::size_t>(index.as_int());
          if (out.unnamed.size() <= i)
            out.unnamed.resize(i + 1);
          if (!text_of(item, out.unnamed[i]))
            return false;
        }
      } else {
        return false;
      }
    } else if (k.text() == "named") {
      if (e.is_array() && e.as_array().empty())
        continue;  // an empty table packs as an array
      if (!e.is_map())
        return false;
      for (const auto& [name, item] : e.as_map()) {
        if (!name.is_text() || !text_of(item, out.named[std::string(name.text())]))
          return false;
      }
    }
  }
  return true;
}

}  // namespace kong::protocol
