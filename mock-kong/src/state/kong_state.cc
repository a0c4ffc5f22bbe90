#include "kong/mock/kong_state.h"

#include <algorithm>

#include "kong/protocol/ascii.h"
#include "kong/protocol/json_value.h"

#include "emulation/lua_table.h"

namespace kong::mock {
namespace {

// Header names compare without case.
bool same_name(std::string_view a, std::string_view b) {
  return protocol::equals_ignoring_case(a, b);
}

}  // namespace

const std::string* first_header(const HeaderList& lines, std::string_view name) {
  for (const auto& [n, v] : lines) {
    if (same_name(n, name))
      return &v;
  }
  return nullptr;
}

std::optional<std::string> Headers::first(std::string_view name) const {
  if (const std::string* value = find(name))
    return *value;
  return std::nullopt;
}

std::vector<std::string> Headers::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : lines_) {
    if (same_name(n, name))
      out.push_back(v);
  }
  return out;
}

bool Headers::replace_lines(std::string_view name, std::optional<std::string>& value) {
  bool matched = false;
  for (auto it = lines_.begin(); it != lines_.end();) {
    if (!same_name(it->first, name)) {
      ++it;
    } else if (matched || !value) {
      it = lines_.erase(it);
    } else {
      it->second = std::move(*value);
      matched = true;
      ++it;
    }
  }
  return matched;
}

void Headers::set(std::string_view name, std::vector<std::string> values) {
  // As nginx overrides a header (ngx.req.set_header, ngx.header[name]): the
  // first line of the name keeps its place and its spelling and takes the
  // first value; the other lines of the name go; further values are appended.
  std::optional<std::string> first;
  if (!values.empty())
    first = std::move(values.front());
  const bool matched = replace_lines(name, first);
  if (!matched && first)
    lines_.emplace_back(std::string(name), std::move(*first));
  for (std::size_t i = 1; i < values.size(); ++i)
    lines_.emplace_back(std::string(name), std::move(values[i]));
}

void Headers::set_value(std::string_view name, std::string value) {
  std::optional<std::string> line(std::move(value));
  if (!replace_lines(name, line))
    lines_.emplace_back(std::string(name), std::move(*line));
}

void Headers::add(std::string_view name, std::string value) {
  lines_.emplace_back(std::string(name), std::move(value));
}

void Headers::clear(std::string_view name) {
  std::erase_if(lines_, [&](const auto& l) { return same_name(l.first, name); });
}

protocol::Value Headers::to_lua_table() const {
  protocol::Map m;
  for (const auto& [n, v] : lines_)
    add_to_lua_table(m, lower(n), protocol::Value(v));
  return protocol::Value(std::move(m));
}

Result<KongState> initial_state(const Case& c) {
  KongState s;
  if (auto filled = initial_state(c, s); !filled)
    return filled.error();
  return s;
}

Status initial_state(const Case& c, KongState& s) {
  auto url = parse_url(c.request.url);
  if (!url)
    return Error{c.path + ".request.url: " + url.error().message};
  s.url = std::move(url).value();
  if (!nginx_uri(s.url.path)) {
    return Error{c.path + ".request.url: nginx answers 400 Bad Request to the path \"" +
                 s.url.path +
                 "\" before any plugin runs (a bad %-escape, %00, or \"..\" above the root)"};
  }
  s.method = c.request.method;
  s.http_version = c.request.http_version;
  s.received_headers = Headers(c.request.headers);
  // nginx always has a Host: the URL's when the fixture gives none.
  if (!s.received_headers.contains("host")) {
    const bool default_port = s.url.port == (s.url.scheme == "https" ? 443 : 80);
    // An IPv6 address keeps its brackets in a Host, as in the URL.
    const std::string host =
        s.url.host.find(':') == std::string::npos ? s.url.host : "[" + s.url.host + "]";
    s.received_headers.add("Host", default_port ? host : host + ":" + std::to_string(s.url.port));
  }
  s.received_body = c.request.body;
  s.client_ip = c.client.ip;
  s.client_port = c.client.port;
  s.route = c.route;
  s.service = c.service;
  s.uri_captures = c.uri_captures;

  // Unchanged by plugins, nginx's request is the client's.
  s.request.method = s.method;
  // nginx has no $args for "/p" nor for "/p?".
  if (!s.url.raw_query.empty())
    s.request.args = s.url.raw_query;
  s.request.headers = s.received_headers;
  s.request.body = s.received_body;

  s.subsystem = c.subsystem;
  s.tls = c.client.tls;
  if (!c.consumer.is_null())
    s.consumer = protocol::json_to_value(c.consumer);
  if (!c.credential.is_null())
    s.credential = protocol::json_to_value(c.credential);
  s.nginx_vars = c.nginx_vars;
  s.kong = c.kong;
  return Ok{};
}

}  // namespace kong::mock
