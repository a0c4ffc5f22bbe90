#include "emulation/lua_table.h"

#include <algorithm>

#include "kong/mock/url.h"

namespace kong::mock {

void add_to_lua_table(protocol::Map& table, std::string_view name, protocol::Value value) {
  auto it = std::find_if(table.begin(), table.end(),
                         [&](const auto& e) { return e.first.text() == name; });
  if (it == table.end()) {
    table.emplace_back(protocol::Value(std::string(name)), std::move(value));
  } else if (it->second.is_array()) {
    it->second.as_array().push_back(std::move(value));
  } else {
    it->second = protocol::Value(protocol::Array{std::move(it->second), std::move(value)});
  }
}

protocol::Map decode_args(std::string_view query, std::int64_t max_args) {
  protocol::Map table;
  std::int64_t n = 0;
  for (auto& a : parse_query(query)) {
    if (n++ >= max_args)
      break;
    add_to_lua_table(table, a.name,
                     a.value ? protocol::Value(std::move(*a.value)) : protocol::Value(true));
  }
  return table;
}

}  // namespace kong::mock
