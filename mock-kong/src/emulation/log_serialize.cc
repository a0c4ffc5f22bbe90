// kong.log.serialize: Kong's log serializer (kong/pdk/log.lua) over the case.
#include <algorithm>

#include <fmt/format.h>

#include "kong/protocol/json_value.h"

#include "emulation/connection.h"
#include "emulation/emulation.h"
#include "emulation/lua_table.h"
#include "emulation/serialize.h"
#include "state/cidr.h"

namespace kong::mock {
namespace {

using Json = nlohmann::json;

// The serializer's headers and query: Lua tables, as JSON.
Json lua_headers(const Headers& headers) {
  return protocol::value_to_json(headers.to_lua_table());
}

// kong.request.get_query(): ngx.req.get_uri_args() with its default limit.
Json lua_query(std::string_view raw_query) {
  return protocol::value_to_json(
      protocol::Value(decode_uri_args(raw_query, kNgxLuaMaxEntries).table));
}

std::int64_t response_size(const KongState& s) {
  std::size_t n = fmt::format("HTTP/1.1 {} \r\n", s.response.status).size();
  for (const auto& [name, value] : s.response.headers.lines())
    n += name.size() + 2 + value.size() + 2;
  return static_cast<std::int64_t>(n + 2 + s.response.body.size());
}

Json tls_info(const KongState& s) {
  if (!is_tls(s))
    return nullptr;
  return {
      {"version", s.tls.version}, {"cipher", s.tls.cipher}, {"client_verify", client_verify(s)}};
}

// ngx.ctx.balancer_data.tries: created when the router matched (access
// on, or preread), one try per balancer run (kong/init.lua, Kong.balancer),
// to set_target's host and port when a plugin set them; nil before routing
// (an exit in rewrite).
Json tries(const KongState& s) {
  if (!s.routed)
    return nullptr;
  Json out = Json::array();
  if (!s.upstream_response && !s.balancer.peer_refused)
    return out;
  const UpstreamPeer peer = balancer_peer(s);
  Json entry = {{"balancer_start", s.started_at_ms},
                {"balancer_start_ns", s.started_at_ms * 1'000'000},
                {"port", peer.port}};
  if (s.balancer.peer_refused) {
    // nginx refused the name as an address: the try ends there, untimed.
    entry["ip"] = peer.host;
    out.push_back(std::move(entry));
    return out;
  }
  entry["balancer_latency"] = 0;
  entry["balancer_latency_ns"] = 0;
  entry["ip"] = peer_address(peer);
  // header_filter marks the last try failed when the retries are used up and
  // the status is a server error (kong/runloop/handler.lua); one try uses
  // them up only with retries 0.
  const std::int64_t retries = s.balancer.retries.value_or(
      s.service.is_object() ? s.service.value("retries", std::int64_t{5}) : std::int64_t{5});
  if (s.subsystem == "http" && s.response.status > 499 && retries < 1) {
    entry["state"] = "failed";
    entry["code"] = s.response.status;
  }
  out.push_back(std::move(entry));
  return out;
}

// Fields both subsystems share.
void add_common(const KongState& s, Json& out) {
  if (!s.credential.is_nil()) {
    const Json credential = protocol::value_to_json(s.credential);
    Json entity = Json::object();
    if (credential.is_object()) {
      if (credential.contains("id"))
        entity["id"] = credential["id"];
      if (credential.contains("consumer_id"))
        entity["consumer_id"] = credential["consumer_id"];
    }
    out["authenticated_entity"] = entity;
  }
  // ngx.ctx.route and service: set by the router, before access.
  if (s.routed && s.route.is_object())
    out["route"] = route_entity(s);
  if (s.routed && s.service.is_object())
    out["service"] = service_entity(s);
  if (!s.consumer.is_nil())
    out["consumer"] = protocol::value_to_json(s.consumer);
  out["client_ip"] = forwarded_addr(s).ip;
  out["started_at"] = s.started_at_ms;
  if (auto t = tries(s); !t.is_null())
    out["tries"] = t;
  out["workspace"] = kWorkspaceId;
  out["workspace_name"] = "default";
}

// kong.log.serialize's upstream_uri: $upstream_uri, with the query when
// access.after did not add it (an exit).
std::string serialized_upstream_uri(const KongState& s) {
  std::string uri = s.upstream_vars.uri;
  if (uri.empty() || uri.find('?') != std::string::npos)
    return uri;
  if (s.url.has_query && s.url.raw_query.empty())
    return uri + "?";
  if (s.request.args && !s.request.args->empty())
    return uri + "?" + *s.request.args;
  return uri;
}

Json http_record(const KongState& s) {
  const std::string request_uri = nginx_var(s, "request_uri").value_or("");
  Json request = {
      {"id", s.request_id},  // $kong_request_id
      {"uri", request_uri},
      {"url", fmt::format("{}://{}:{}{}", s.url.scheme, nginx_var(s, "host").value_or(""),
                          s.url.port, request_uri)},
      // nginx's request, as the plugins left it.
      {"querystring", lua_query(s.request.args.value_or(""))},
      {"method", s.request.method},
      {"headers", lua_headers(first_header_lines(s.request.headers, kNgxLuaMaxEntries))},
      {"size", std::stoll(nginx_var(s, "request_length").value_or("0"))},
  };
  if (auto tls = tls_info(s); !tls.is_null())
    request["tls"] = tls;
  Json out = {
      {"request", request},
      {"upstream_uri", serialized_upstream_uri(s)},
      {"response",
       {{"status", s.response.status},
        {"headers", lua_headers(first_header_lines(response_header_lines(s.response.headers),
                                                   kNgxLuaMaxEntries))},
        {"size", response_size(s)}}},
      {"latencies",
       {{"kong", kKongLatencyMs},
        {"proxy", s.upstream_response ? kUpstreamLatencyMs : -1},
        {"request", kRequestTimeMs},
        {"receive", 0}}},
      {"source", s.response.source == "service" ? "upstream" : "kong"},
  };
  // $upstream_status, or ngx.ctx.buffered_status (a number: buffered
  // proxying reads the upstream in a subrequest), or "".
  if (!s.upstream_response)
    out["upstream_status"] = "";
  else if (s.buffered_proxying)
    out["upstream_status"] = s.upstream_response->status;
  else
    out["upstream_status"] = std::to_string(s.upstream_response->status);
  add_common(s, out);
  return out;
}

Json stream_record(const KongState& s) {
  // $status: 200 when proxied, else the status the session ended with.
  Json session = {{"received", static_cast<std::int64_t>(s.received_body.size())},
                  {"sent", static_cast<std::int64_t>(s.response.body.size())},
                  {"status", s.response.status},
                  {"server_port", s.url.port}};
  if (auto tls = tls_info(s); !tls.is_null())
    session["tls"] = tls;
  // $upstream_bytes_* are not found without an upstream: an empty table.
  Json upstream = Json::object();
  if (s.upstream_response) {
    upstream = {{"received", static_cast<std::int64_t>(s.response.body.size())},
                {"sent", static_cast<std::int64_t>(s.received_body.size())}};
  }
  Json out = {{"session", session},
              {"upstream", upstream},
              {"latencies", {{"kong", kKongLatencyMs}, {"session", kRequestTimeMs}}}};
  add_common(s, out);
  return out;
}

// A dotted key; "\." is a dot inside a name.
std::vector<std::string> split_key(std::string_view key) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '\\' && i + 1 < key.size() && key[i + 1] == '.') {
      parts.back() += '.';
      ++i;
    } else if (key[i] == '.') {
      parts.emplace_back();
    } else {
      parts.back() += key[i];
    }
  }
  return parts;
}

std::string lua_tostring_json(const Json& v) {
  return lua_tostring(protocol::json_to_value(v));
}

// edit_result: set always writes, add only where absent, replace only where
// present; set and add create missing tables on the way.
void apply(Json& root, const std::string& key, const Json& value, const std::string& mode) {
  const auto parts = split_key(key);
  Json* node = &root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!node->is_object())
      return;  // an array indexed by a string: nothing Kong could write either
    if (!node->contains(parts[i]) || (*node)[parts[i]].is_null()) {
      if (mode == "replace")
        return;
      (*node)[parts[i]] = Json::object();
    }
    Json& next = (*node)[parts[i]];
    if (!next.is_object() && !next.is_array()) {
      throw LuaError{fmt::format(
          "The key '{}' could not be used as a serialize value. Subkey '{}' is not a table. "
          "It's {}",
          key, parts[i], lua_tostring_json(next))};
    }
    node = &next;
  }
  if (!node->is_object())
    return;
  const bool exists = node->contains(parts.back()) && !(*node)[parts.back()].is_null();
  if (mode == "set" || (mode == "add" && !exists) || (mode == "replace" && exists)) {
    if (value.is_null())
      node->erase(parts.back());
    else
      (*node)[parts.back()] = value;
  }
}

}  // namespace

Json serialized_log(const KongState& s) {
  Json out = s.subsystem == "http" ? http_record(s) : stream_record(s);
  // Kong's default edits come first: credentials never reach the logs.
  if (s.subsystem == "http") {
    apply(out, "request.headers.authorization", "REDACTED", "replace");
    apply(out, "request.headers.proxy-authorization", "REDACTED", "replace");
  }
  for (const auto& edit : s.serialize_edits) {
    if (!edit.in_log)
      apply(out, edit.key, protocol::value_to_json(edit.value), edit.mode);
  }
  return out;
}

void note_truncations(KongState& s, int request_header_reads, int response_header_reads) {
  const bool request_headers = std::ssize(s.request.headers.lines()) > kNgxLuaMaxEntries;
  const bool response_headers =
      std::ssize(response_header_lines(s.response.headers).lines()) > kNgxLuaMaxEntries;
  for (int i = 0; request_headers && i < request_header_reads; ++i)
    truncated_notice(s, "request headers");
  if (decode_uri_args(s.request.args.value_or(""), kNgxLuaMaxEntries).truncated)
    truncated_notice(s, "uri args");
  for (int i = 0; response_headers && i < response_header_reads; ++i)
    truncated_notice(s, "response headers");
}

void save_log_phase_copies(KongState& s) {
  // kong.log.serialize(), then ngx.req.get_headers() and ngx.resp.get_headers()
  // (kong/runloop/plugin_servers/plugin.lua): each read of a header table
  // past its limit logs its notice.
  if (s.subsystem == "http")
    note_truncations(s, 2, 2);
}

protocol::Value serialize(KongState& s, const protocol::Array&) {
  // In log, the copy saved when the phase started answers (no new reads).
  if (s.phase != Phase::log && s.subsystem == "http")
    note_truncations(s, 1, 1);
  // cjson escapes "/" as "\/"; outside strings JSON has no "/".
  std::string text = serialized_log(s).dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    if (c == '/')
      escaped += '\\';
    escaped += c;
  }
  return protocol::Value(std::move(escaped));
}

}  // namespace kong::mock
