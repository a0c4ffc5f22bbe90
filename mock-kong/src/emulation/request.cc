// kong.request: the client's request, read-only.
#include <algorithm>

#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

Value get_scheme(KongState& s, const Array&) {
  return Value(s.url.scheme);
}

Value get_host(KongState& s, const Array&) {
  // $host: the Host header without its port, lower case; else the URL's host.
  std::string host = s.request_headers.first("host").value_or(s.url.host);
  if (!host.empty() && host.front() != '[')
    host = host.substr(0, host.find(':'));
  return Value(lower(host));
}

Value get_port(KongState& s, const Array&) {
  return Value(s.url.port);
}
Value get_method(KongState& s, const Array&) {
  return Value(s.method);
}
Value get_path(KongState& s, const Array&) {
  return Value(s.url.path);
}
Value get_raw_query(KongState& s, const Array&) {
  return Value(s.url.raw_query);
}

Value get_query_arg(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (!name.is_text())
    throw LuaError{"query argument name must be a string"};
  for (const auto& a : parse_query(s.url.raw_query)) {
    if (a.name == name.text())
      return a.value ? Value(*a.value) : Value(true);
  }
  return Value{};
}

Value get_query(KongState& s, const Array& args) {
  const std::int64_t max = checked_limit(arg(args, 0), "max_args");
  // MsgPack multimap (protocol.md §3): every value an array, a flag [].
  Map m;
  std::int64_t n = 0;
  for (const auto& a : parse_query(s.url.raw_query)) {
    if (n++ >= max)
      break;
    auto it =
        std::find_if(m.begin(), m.end(), [&](const auto& e) { return e.first.text() == a.name; });
    if (it == m.end()) {
      m.emplace_back(Value(a.name), Value(Array{}));
      it = m.end() - 1;
    }
    if (a.value)
      it->second.as_array().emplace_back(*a.value);
  }
  return Value(std::move(m));
}

Value get_header(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (!name.is_text())
    throw LuaError{"header name must be a string"};
  auto v = find_header(s.request_headers, name.text());
  return v ? Value(*v) : Value{};
}

Value get_headers(KongState& s, const Array& args) {
  return limited_multimap(s.request_headers, arg(args, 0));
}

Value get_raw_body(KongState& s, const Array&) {
  return Value(Bytes{s.request_body});
}

}  // namespace

void register_request(Emulation& e) {
  using enum protocol::MethodId;
  e.add(request_get_scheme, get_scheme);
  e.add(request_get_host, get_host);
  e.add(request_get_port, get_port);
  e.add(request_get_method, get_method);
  e.add(request_get_path, get_path);
  e.add(request_get_raw_query, get_raw_query);
  e.add(request_get_query_arg, get_query_arg);
  e.add(request_get_query, get_query);
  e.add(request_get_header, get_header);
  e.add(request_get_headers, get_headers);
  e.add(request_get_raw_body, get_raw_body);
}

}  // namespace kong::mock
