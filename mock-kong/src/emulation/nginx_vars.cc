// nginx variables ($name) computed from the case, as kong.nginx.get_var and
// the log serializer read them. docs/fixtures.md lists what each contains.
#include <fmt/format.h>

#include "emulation/connection.h"
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

// The client's request target, "?" kept even with an empty query.
std::string request_uri(const KongState& s) {
  return s.url.has_query ? s.url.path + "?" + s.url.raw_query : s.url.path;
}

std::string server_protocol(const KongState& s) {
  return "HTTP/" + (s.http_version == "2" ? std::string("2.0") : s.http_version);
}

// $arg_<name> (ngx_http_arg): the first raw (undecoded) value of a piece
// "name=...", name compared ignoring case; a flag without "=" is not one.
std::optional<std::string> query_arg(const KongState& s, std::string_view name) {
  if (name.empty())
    return std::nullopt;
  std::string_view rest = s.request.args ? std::string_view(*s.request.args) : std::string_view();
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && lower(pair.substr(0, eq)) == lower(name))
      return std::string(pair.substr(eq + 1));
    if (amp == std::string_view::npos)
      break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> cookie(const KongState& s, std::string_view name) {
  const auto header = http_var(s.request.headers, "cookie");
  std::string_view rest = header ? std::string_view(*header) : std::string_view();
  while (!rest.empty()) {
    while (rest.starts_with(' '))
      rest.remove_prefix(1);
    const auto semi = rest.find(';');
    const std::string_view pair = rest.substr(0, semi);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return std::string(pair.substr(eq + 1));
    if (semi == std::string_view::npos)
      break;
    rest.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::string host(const KongState& s) {
  const auto header = s.request.headers.first("host");
  if (!header)
    return s.url.host;
  // nginx's $host: the Host header, lower case, without the port.
  std::string h = lower(*header);
  if (h.starts_with('[')) {
    if (const auto close = h.find(']'); close != std::string::npos)
      h.resize(close + 1);
  } else if (const auto colon = h.find(':'); colon != std::string::npos) {
    h.resize(colon);
  }
  return h;
}

std::int64_t request_length(const KongState& s) {
  std::size_t n = fmt::format("{} {} {}\r\n", s.method, request_uri(s), server_protocol(s)).size();
  for (const auto& [name, value] : s.received_headers.lines())
    n += name.size() + 2 + value.size() + 2;
  return static_cast<std::int64_t>(n + 2 + s.received_body.size());
}

bool after_access(const KongState& s) {
  return s.phase == Phase::response || s.phase == Phase::log;
}

// Variables of nginx's http module and of Kong's http location.
std::optional<std::string> http_only(const KongState& s, std::string_view name) {
  if (name.starts_with("http_"))
    return http_var(s.request.headers, name.substr(5));
  if (name.starts_with("arg_"))
    return query_arg(s, name.substr(4));
  if (name.starts_with("cookie_"))
    return cookie(s, name.substr(7));
  if (name == "scheme")
    return s.url.scheme;
  if (name == "https")
    return is_tls(s) ? "on" : "";
  if (name == "host")
    return host(s);
  if (name == "server_name")
    return "kong";
  if (name == "server_protocol")
    return server_protocol(s);
  if (name == "request_method")
    return s.request.method;
  if (name == "request_uri")
    return request_uri(s);
  if (name == "uri" || name == "document_uri")
    return nginx_uri(s.url.path);
  if (name == "args" || name == "query_string")
    return s.request.args;
  if (name == "is_args")
    return s.request.args && !s.request.args->empty() ? "?" : "";
  if (name == "request")
    return fmt::format("{} {} {}", s.method, request_uri(s), server_protocol(s));
  if (name == "request_length")
    return std::to_string(request_length(s));
  if (name == "content_type")
    return s.request.headers.first("content-type");
  if (name == "content_length")
    return s.request.headers.first("content-length");
  if (name == "kong_request_id")
    return s.request_id;
  // Declared empty in Kong's location; the router and access.after fill them.
  if (name == "upstream_scheme")
    return s.upstream_vars.scheme;
  if (name == "upstream_uri")
    return s.upstream_vars.uri;
  if (name == "upstream_x_forwarded_prefix")
    return s.upstream_vars.x_forwarded_prefix;
  if (name == "upstream_status" && s.upstream_response)
    return std::to_string(s.upstream_response->status);
  if (name == "status" && after_access(s))
    return std::to_string(s.response.status);
  return std::nullopt;
}

// Variables both of nginx's modules have, and $upstream_host, which Kong's
// http location and stream server both declare.
std::optional<std::string> common(const KongState& s, std::string_view name) {
  if (name == "remote_addr")
    return forwarded_addr(s).ip;
  if (name == "remote_port") {
    const auto port = forwarded_addr(s).port;
    return port ? std::to_string(*port) : "";
  }
  if (name == "realip_remote_addr")
    return s.client_ip;
  if (name == "realip_remote_port")
    return std::to_string(s.client_port);
  if (name == "hostname")
    return s.kong->node_hostname;
  if (name == "server_port")
    return std::to_string(s.url.port);
  if (name == "msec")
    return fmt::format("{:.3f}", static_cast<double>(s.started_at_ms) / 1000.0);
  if (is_tls(s)) {
    if (name == "ssl_protocol")
      return s.tls.version;
    if (name == "ssl_cipher")
      return s.tls.cipher;
    if (name == "ssl_client_verify")
      return ssl_client_verify(s);
    if (name == "ssl_server_name")
      return s.url.host;
  }
  if (name == "upstream_host")
    return s.upstream_vars.host;
  if (s.upstream_response) {
    if (name == "upstream_addr") {
      const UpstreamPeer peer = balancer_peer(s);
      return fmt::format("{}:{}", peer_address(peer), peer.port);
    }
  }
  return std::nullopt;
}

// The stream module's own ($status and the byte counts change until the
// session ends, and the log handler, a timer, cannot read variables).
std::optional<std::string> stream_only(const KongState&, std::string_view name) {
  if (name == "protocol")
    return "TCP";
  return std::nullopt;
}

std::optional<std::string> computed(const KongState& s, std::string_view name) {
  if (auto value = common(s, name))
    return value;
  return s.subsystem == "stream" ? stream_only(s, name) : http_only(s, name);
}

}  // namespace

std::optional<std::string> nginx_var(const KongState& s, std::string_view name) {
  if (const auto it = s.nginx_vars.find(std::string(name)); it != s.nginx_vars.end())
    return it->second;
  return computed(s, name);
}

}  // namespace kong::mock
