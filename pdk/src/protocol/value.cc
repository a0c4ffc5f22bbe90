#include "kong/protocol/value.h"

#include <fmt/format.h>

namespace kong::protocol {
namespace {

void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

void append_debug(std::string& out, const Value& v) {
  struct Visitor {
    std::string& out;
    void operator()(const Nil&) const { out += "nil"; }
    void operator()(bool b) const { out += b ? "true" : "false"; }
    void operator()(std::int64_t i) const { out += std::to_string(i); }
    void operator()(double d) const { out += fmt::format("{}", d); }
    void operator()(const std::string& s) const { append_quoted(out, s); }
    void operator()(const Bytes& b) const {
      out.push_back('b');
      append_quoted(out, b.data);
    }
    void operator()(const Array& a) const {
      out.push_back('[');
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i > 0)
          out += ", ";
        append_debug(out, a[i]);
      }
      out.push_back(']');
    }
    void operator()(const Map& m) const {
      out.push_back('{');
      for (std::size_t i = 0; i < m.size(); ++i) {
        if (i > 0)
          out += ", ";
        append_debug(out, m[i].first);
        out += ": ";
        append_debug(out, m[i].second);
      }
      out.push_back('}');
    }
  };
  std::visit(Visitor{out}, v.variant());
}

}  // namespace

const Value* Value::find(std::string_view key) const {
  if (!is_map())
    return nullptr;
  for (const auto& [k, v] : as_map()) {
    if (k.is_text() && k.text() == key)
      return &v;
  }
  return nullptr;
}

std::string_view type_name(const Value& v) {
  static constexpr std::string_view kNames[] = {"nil",    "boolean", "integer", "number",
                                                "string", "bytes",   "array",   "map"};
  return kNames[v.variant().index()];
}

std::string to_debug_string(const Value& v) {
  std::string out;
  append_debug(out, v);
  return out;
}

}  // namespace kong::protocol
