#include "kong/mock/kong_state.h"

#include <algorithm>

#include "kong/protocol/ascii.h"
#include "kong/protocol/typed_codec.h"

#include "emulation/lua_table.h"

namespace kong::mock {
namespace {

// Header names compare without case.
bool same_name(std::string_view a, std::string_view b) {
  return protocol::equals_ignoring_case(a, b);
}

// $upstream_x_forwarded_prefix as Kong's router leaves it: with strip_path
// (Kong's default) the longest plain (non-regex) route path the request path
// starts with; nothing when no path matched or the prefix is "/".
std::optional<std::string> stripped_prefix(const nlohmann::json& route, std::string_view path) {
  if (!route.is_object() || !route.value("strip_path", true))
    return std::nullopt;
  const auto paths = route.find("paths");
  if (paths == route.end() || !paths->is_array())
    return std::nullopt;
  std::string best;
  for (const auto& p : *paths) {
    if (!p.is_string())
      continue;
    const auto& prefix = p.get_ref<const std::string&>();
    if (!prefix.starts_with("~") && path.starts_with(prefix) && prefix.size() > best.size())
      best = prefix;
  }
  if (best.empty() || best == "/")
    return std::nullopt;
  return best;
}

}  // namespace

std::optional<std::string> Headers::first(std::string_view name) const {
  for (const auto& [n, v] : lines_) {
    if (same_name(n, name))
      return v;
  }
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

void Headers::set(std::string_view name, const std::vector<std::string>& values) {
  // Keep the header where it was, as nginx updates a header in place.
  auto it = std::find_if(lines_.begin(), lines_.end(),
                         [&](const auto& l) { return same_name(l.first, name); });
  const auto pos = it - lines_.begin();
  clear(name);
  auto at =
      lines_.begin() + std::min<std::ptrdiff_t>(pos, static_cast<std::ptrdiff_t>(lines_.size()));
  for (const auto& v : values)
    at = lines_.insert(at, {std::string(name), v}) + 1;
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
  auto url = parse_url(c.request.url);
  if (!url)
    return Error{c.path + ".request.url: " + url.error().message};
  s.url = std::move(url).value();
  s.method = c.request.method;
  s.http_version = c.request.http_version;
  s.request_headers = Headers(c.request.headers);
  // nginx always has a Host: the URL's when the fixture gives none.
  if (!s.request_headers.contains("host")) {
    const bool default_port = s.url.port == (s.url.scheme == "https" ? 443 : 80);
    s.request_headers.add(
        "Host", default_port ? s.url.host : s.url.host + ":" + std::to_string(s.url.port));
  }
  s.request_body = c.request.body;
  s.client_ip = c.client.ip;
  s.client_port = c.client.port;
  s.route = c.route;
  s.service = c.service;
  s.uri_captures = c.uri_captures;
  s.stripped_prefix = stripped_prefix(c.route, s.url.path);

  // Unchanged by plugins, the upstream request is the client's.
  s.service_request.method = s.method;
  s.service_request.scheme = s.url.scheme;
  s.service_request.path = s.url.path;
  s.service_request.raw_query = s.url.raw_query;
  s.service_request.headers = s.request_headers;
  s.service_request.body = s.request_body;

  s.subsystem = c.subsystem;
  s.tls = c.client.tls;
  if (!c.consumer.is_null())
    s.consumer = protocol::json_to_value(c.consumer);
  if (!c.credential.is_null())
    s.credential = protocol::json_to_value(c.credential);
  s.nginx_vars = c.nginx_vars;
  s.kong = c.kong;
  return s;
}

}  // namespace kong::mock
