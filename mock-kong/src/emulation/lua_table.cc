#include "emulation/lua_table.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

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

namespace {

// The '&' pieces of a query string or form body, empty ones included, with
// the argument each one holds (nullopt: an empty name, which nginx skips).
std::vector<std::optional<QueryArg>> pieces(std::string_view text) {
  std::vector<std::optional<QueryArg>> out;
  for (bool more = !text.empty(); more;) {
    const auto amp = text.find('&');
    more = amp != std::string_view::npos;
    const std::string_view piece = text.substr(0, amp);
    text = more ? text.substr(amp + 1) : std::string_view();
    auto args = parse_query(piece);
    out.push_back(args.empty() ? std::nullopt : std::optional<QueryArg>(std::move(args[0])));
  }
  return out;
}

void add(protocol::Map& table, QueryArg& a) {
  add_to_lua_table(table, a.name,
                   a.value ? protocol::Value(std::move(*a.value)) : protocol::Value(true));
}

}  // namespace

DecodedArgs decode_uri_args(std::string_view query, std::int64_t max_args) {
  // ngx_http_lua_ffi_req_get_uri_args_count: truncated when there are more
  // pieces than max_args; then the first max_args named arguments are read.
  DecodedArgs out;
  auto all = pieces(query);
  out.truncated = static_cast<std::int64_t>(all.size()) > max_args;
  std::int64_t n = 0;
  for (auto& a : all) {
    if (n >= max_args)
      break;
    if (a) {
      add(out.table, *a);
      ++n;
    }
  }
  return out;
}

DecodedArgs decode_form_args(std::string_view body, std::int64_t max_args) {
  // ngx_http_lua_parse_args: every piece a '&' ends counts, empty or not;
  // the max_args-th '&' stops the parse as truncated.
  DecodedArgs out;
  auto all = pieces(body);
  std::int64_t count = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i])
      add(out.table, *all[i]);
    const bool ended_by_amp = i + 1 < all.size();
    if (ended_by_amp && ++count == max_args) {
      out.truncated = true;
      break;
    }
  }
  return out;
}

protocol::Map decode_args(std::string_view query) {
  return decode_uri_args(query, std::numeric_limits<std::int64_t>::max()).table;
}

}  // namespace kong::mock
