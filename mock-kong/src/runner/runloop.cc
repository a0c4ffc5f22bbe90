#include "runner/runloop.h"

#include <algorithm>
#include <regex>
#include <vector>

#include <fmt/format.h>

#include "emulation/connection.h"
#include "emulation/emulation.h"
#include "state/cidr.h"

namespace kong::mock {
namespace {

using nlohmann::json;

std::string text_field(const json& entity, const char* name, std::string_view fallback) {
  if (entity.is_object()) {
    if (const auto it = entity.find(name); it != entity.end() && it->is_string())
      return it->get<std::string>();
  }
  return std::string(fallback);
}

// balancer_data.type, fixed from the service's host when the router
// matched (kong/runloop/handler.lua, balancer_prepare): an address, or a
// name to resolve or look up as an Upstream entity.
bool balancer_type_is_address(const KongState& s) {
  return parse_ip(text_field(s.service, "host", kDefaultServiceHost)).has_value();
}

// The route path the normalised request path matched (the router's
// matched_path): a regex path's whole match first, else the longest prefix.
std::optional<std::string> matched_path(const KongState& s, const std::string& path) {
  const auto paths = s.route.is_object() ? s.route.find("paths") : s.route.end();
  if (!s.route.is_object() || paths == s.route.end() || !paths->is_array())
    return std::nullopt;
  for (const auto& p : *paths) {
    if (!p.is_string() || !p.get_ref<const std::string&>().starts_with("~"))
      continue;
    // The case's uri_captures say what the regex matched; without them, an
    // ECMAScript approximation of Kong's PCRE match at the start of the path.
    if (s.uri_captures.is_object() && s.uri_captures.contains("unnamed") &&
        !s.uri_captures["unnamed"].empty())
      return s.uri_captures["unnamed"][0].get<std::string>();
    try {
      std::smatch m;
      const std::regex re(p.get<std::string>().substr(1));
      if (std::regex_search(path, m, re, std::regex_constants::match_continuous))
        return m.str(0);
    } catch (const std::regex_error&) {
    }
  }
  std::optional<std::string> best;
  for (const auto& p : *paths) {
    if (!p.is_string())
      continue;
    const auto& prefix = p.get_ref<const std::string&>();
    if (!prefix.starts_with("~") && path.starts_with(prefix) &&
        (!best || prefix.size() > best->size()))
      best = prefix;
  }
  return best;
}

// kong.router.utils' sanitize_uri_postfix: no "." or ".." left to resolve.
std::string sanitized(std::string postfix) {
  if (postfix == "." || postfix == "..")
    return "";
  if (postfix.starts_with("./"))
    return postfix.substr(1);
  if (postfix.starts_with("../"))
    return postfix.substr(2);
  return postfix;
}

// kong.router.utils' get_upstream_uri_v0: the service's path joined with
// what is left of the request path.
std::string upstream_uri_v0(bool strip_path, const std::string& postfix, const std::string& path,
                            const std::string& base) {
  if (base.ends_with('/')) {
    if (!strip_path)
      return base + path.substr(1);
    if (postfix.empty()) {
      if (base == "/")
        return "/";
      return path.ends_with('/') ? base : base.substr(0, base.size() - 1);
    }
    return postfix.starts_with('/') ? base.substr(0, base.size() - 1) + postfix : base + postfix;
  }
  if (!strip_path)
    return path == "/" ? base : base + path;
  if (postfix.empty())
    return path.size() > 1 && path.ends_with('/') ? base + "/" : base;
  return postfix.starts_with('/') ? base + postfix : base + "/" + postfix;
}

}  // namespace

void access_before(KongState& s) {
  s.routed = true;
  s.ctx_host = nginx_var(s, "host").value_or("");
  const std::string path = kong_normalize(s.url.path);
  const auto matched = matched_path(s, path);
  const bool strip_path = !s.route.is_object() || s.route.value("strip_path", true);
  const std::optional<std::string> prefix = strip_path ? matched : std::nullopt;
  const std::string postfix = sanitized(path.substr(prefix ? prefix->size() : 1));
  s.upstream_vars.scheme = text_field(s.service, "protocol", "http");
  s.upstream_vars.uri = kong_uri_escape(
      upstream_uri_v0(strip_path, postfix, path, text_field(s.service, "path", "/")));
  if (s.route.is_object() && s.route.value("preserve_host", false)) {
    if (auto host = s.request.headers.first("host"))
      s.upstream_vars.host = *host;
  }
  // A trusted client's X-Forwarded-Prefix, else the stripped prefix.
  const auto forwarded = kong_get_header(s.request.headers, "X-Forwarded-Prefix");
  if (forwarded && ip_is_trusted(*s.kong, s.client_ip))
    s.upstream_vars.x_forwarded_prefix = forwarded;
  else if (prefix && *prefix != "/")
    s.upstream_vars.x_forwarded_prefix = prefix;
  else
    s.upstream_vars.x_forwarded_prefix = std::nullopt;
}

void access_after(KongState& s) {
  const bool empty_query = s.url.has_query && s.url.raw_query.empty();
  if (empty_query || (s.request.args && !s.request.args->empty())) {
    s.upstream_vars.uri += '?';
    if (s.request.args)
      s.upstream_vars.uri += *s.request.args;
  }
  // balancer.execute: a host name that names an Upstream entity goes to the
  // target its ring balancer picks (here its first), and the Host header is
  // the upstream's host_header or the target's host. An IP-address service
  // keeps its type whatever a plugin set: no upstream is looked up then.
  const UpstreamEntity* upstream =
      balancer_type_is_address(s) ? nullptr : find_upstream(*s.kong, balancer_peer(s).host);
  if (upstream != nullptr) {
    if (upstream->targets.empty()) {
      send_error(s, 503, "failure to get a peer from the ring-balancer", protocol::Value{},
                 "error");
      return;
    }
    s.balancer.target = parse_target(upstream->targets.front());
  }
  if (!s.upstream_vars.host.empty())
    return;  // preserved: the client's, a plugin's Host or set_target's
  const UpstreamPeer peer = balancer_peer(s);
  const std::string host = upstream && upstream->host_header ? *upstream->host_header : peer.host;
  const std::int64_t port = peer.port;
  const std::string& scheme = s.upstream_vars.scheme;
  const bool default_port = (port == 80 && (scheme == "http" || scheme == "grpc")) ||
                            (port == 443 && (scheme == "https" || scheme == "grpcs"));
  s.upstream_vars.host = default_port ? host : host + ":" + std::to_string(port);
}

bool balance(KongState& s) {
  if (!s.balancer.host || !balancer_type_is_address(s) || parse_ip(*s.balancer.host))
    return true;
  s.balancer.peer_refused = true;
  const UpstreamPeer peer = balancer_peer(s);
  s.log.push_back(
      {"err",
       fmt::format("failed to set the current peer (address: {} port: {}): no host allowed",
                   peer.host, peer.port),
       s.phase});
  fail_with_500(s);
  return false;
}

void merge_upstream_headers(Headers& client, const HeaderList& upstream, bool buffered) {
  if (buffered) {
    const Headers answer(upstream);
    std::vector<std::string> names;
    for (const auto& [name, value] : upstream) {
      if (std::find(names.begin(), names.end(), lower(name)) == names.end())
        names.push_back(lower(name));
    }
    for (const auto& name : names)
      client.set(name, answer.all(name));
    return;
  }
  // r->headers_out.content_type and content_length hold one value each.
  for (const char* single : {"content-type", "content-length"}) {
    if (first_header(upstream, single) != nullptr)
      client.clear(single);
  }
  client.reserve(client.lines().size() + upstream.size());
  for (const auto& [name, value] : upstream)
    client.add(name, value);
}

void header_filter(KongState& s) {
  Headers& h = s.response.headers;
  h.reserve(h.lines().size() + 5);  // the headers below, added at once
  // Said the same way on every response: formatted once.
  static const std::string upstream_latency = std::to_string(kUpstreamLatencyMs);
  static const std::string kong_latency = std::to_string(kKongLatencyMs);
  static const std::string via_http = fmt::format("1.1 {}", kServerTokens);
  static const std::string via_grpc = fmt::format("2 {}", kServerTokens);
  if (s.proxied) {
    h.set_value("X-Kong-Upstream-Latency", upstream_latency);
    h.set_value("X-Kong-Proxy-Latency", kong_latency);
    // proxy_http_version 1.1, or 2 for gRPC.
    const std::string& scheme = s.upstream_vars.scheme;
    const std::string& via = scheme == "grpc" || scheme == "grpcs" ? via_grpc : via_http;
    const std::string* upstream_via =
        s.upstream_response ? first_header(s.upstream_response->headers, "via") : nullptr;
    h.set_value("Via", upstream_via ? *upstream_via + ", " + via : via);
    if (!h.contains("server"))
      h.set_value("Server", std::string(kServerTokens));
  } else {
    h.set_value("X-Kong-Response-Latency", kong_latency);
    if (const std::string* via = h.find("via"); !via || *via != kServerTokens)
      h.set_value("Server", std::string(kServerTokens));
  }
  h.set_value("X-Kong-Request-Id", s.request_id);
}

UpstreamRequest upstream_request(const KongState& s) {
  UpstreamRequest r;
  r.method = s.request.method;
  // Unrouted (an exit in rewrite), the client's scheme and path stand in.
  r.scheme = s.upstream_vars.scheme.empty() ? s.url.scheme : s.upstream_vars.scheme;
  const std::string& uri = s.upstream_vars.uri.empty() ? s.url.path : s.upstream_vars.uri;
  const auto q = uri.find('?');
  r.path = uri.substr(0, q);
  // Before access.after added it (an exit), the query is nginx's $args.
  r.raw_query = q == std::string::npos ? s.request.args.value_or("") : uri.substr(q + 1);
  r.headers = s.request.headers;
  if (!s.upstream_vars.host.empty())
    r.headers.set_value("Host", s.upstream_vars.host);
  r.body = s.request.body;
  return r;
}

}  // namespace kong::mock
