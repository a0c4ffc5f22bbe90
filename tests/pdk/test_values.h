#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "kong/protocol/msgpack_codec.h"
#include "kong/protocol/value.h"

// Readable failure output: GoogleTest finds these by argument-dependent lookup.
namespace kong {
inline void PrintTo(const Bytes& b, std::ostream* os) {
  *os << protocol::to_debug_string(protocol::Value(b));
}
}  // namespace kong

namespace kong::protocol {
inline void PrintTo(const Value& v, std::ostream* os) {
  *os << to_debug_string(v);
}
}  // namespace kong::protocol

namespace kong::test {

/// Bytes written as numbers: Raw({0x92, 0x01, 0xc0}).
inline std::string Raw(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes)
    out.push_back(static_cast<char>(b));
  return out;
}

/// "92 01 c0", for failure messages.
inline std::string Hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty())
      out += ' ';
    out += fmt::format("{:02x}", c);
  }
  return out;
}

inline std::string Encode(const protocol::Value& v,
                          protocol::StrForm form = protocol::StrForm::compact) {
  std::string out;
  protocol::msgpack_encode(v, out, form);
  return out;
}

/// A map from string keys, in the order given.
inline protocol::Value StrMap(
    std::initializer_list<std::pair<std::string_view, protocol::Value>> entries) {
  protocol::Map m;
  for (const auto& [k, v] : entries)
    m.emplace_back(protocol::Value(k), v);
  return protocol::Value(std::move(m));
}

}  // namespace kong::test
