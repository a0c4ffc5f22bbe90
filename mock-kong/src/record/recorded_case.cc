// What a recorded lifecycle says about the request it served: Kong answered
// the plugin's questions about it, so its answers are the request's facts.
#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "kong/mock/url.h"
#include "kong/protocol/json_value.h"
#include "kong/protocol/method_table.h"

#include "fixture/transcript_value.h"
#include "record/recorded_lifecycle.h"
#include "state/utf8.h"

namespace kong::mock {
namespace {

using nlohmann::json;
using protocol::Value;

// The keys Kong adds to a plugin's configuration for its server
// (kong/runloop/plugins_iterator.lua, get_plugin_config).
bool kong_key(const std::string& key) {
  return key.starts_with("__") || key == "route_id" || key == "service_id" ||
         key == "consumer_id" || key == "plugin_instance_name";
}

// A Lua string Kong answered, when it is one.
std::optional<std::string> text_of(const std::optional<Value>& v) {
  if (!v || !v->is_text())
    return std::nullopt;
  return std::string(v->text());
}

std::optional<std::int64_t> integer_of(const std::optional<Value>& v) {
  if (!v || !v->is_number())
    return std::nullopt;
  const double d = v->as_double();
  if (d != std::floor(d) || d < 0 || d > 65535 * 1000.0)
    return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// An entity Kong answered (a route, a consumer): JSON, when it is a table.
json entity_of(const std::optional<Value>& v) {
  if (!v || !v->is_map())
    return nullptr;
  return protocol::value_to_json(*v);
}

// Headers from a multimap answer ({name: value | [values]}), each kept only
// when a fixture can carry it.
HeaderList headers_of(const std::optional<Value>& v) {
  HeaderList out;
  if (!v || !v->is_map())
    return out;
  for (const auto& [key, values] : v->as_map()) {
    if (!key.is_text())
      continue;
    const std::string name(key.text());
    auto add = [&](const Value& one) {
      if (one.is_text() && valid_header_name(name) && valid_header_value(one.text()))
        out.emplace_back(name, std::string(one.text()));
    };
    if (values.is_array()) {
      for (const auto& one : values.as_array())
        add(one);
    } else {
      add(values);
    }
  }
  return out;
}

// A path as an absolute URL can carry it: bytes a URL cannot hold escaped.
std::string url_path(std::string_view path) {
  std::string out;
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || std::string_view("-._~!$&'()*+,;=:@/%").find(ch) != std::string::npos)
      out.push_back(ch);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out.starts_with('/') ? out : "/" + out;
}

// What Kong's answers said about the request, gathered over the lifecycle.
struct Facts {
  std::optional<std::string> method, scheme, host, path, raw_query, http_version, body;
  std::optional<std::int64_t> port;
  HeaderList headers;
  std::set<std::string> header_names;  // lower case, those in `headers`
  std::optional<std::string> client_ip;
  std::optional<std::int64_t> client_port;
  json route, service, consumer, credential;
  std::optional<FixtureUpstream> upstream;
  /// The status of the lifecycle's kong.response.exit.
  std::optional<std::int64_t> exit_status;

  void header(const std::string& name, const std::string& value) {
    if (valid_header_name(name) && valid_header_value(value) &&
        header_names.insert(lower(name)).second)
      headers.emplace_back(name, value);
  }

  FixtureUpstream& upstream_answer() { return upstream ? *upstream : upstream.emplace(); }

  void learn(const RecordedCall& call) {
    const protocol::MethodInfo* info = protocol::find_method(call.method);
    if (info == nullptr)
      return;
    const auto& a = call.answer;
    const Value* first_arg =
        call.args.is_array() && !call.args.as_array().empty() ? &call.args.as_array()[0] : nullptr;
    using enum protocol::MethodId;
    switch (info->id) {
      case request_get_method:
        method = text_of(a);
        break;
      case request_get_scheme:
        scheme = text_of(a);
        break;
      case request_get_host:
        host = text_of(a);
        break;
      case request_get_port:
        port = integer_of(a);
        break;
      case request_get_raw_path:
        path = text_of(a);
        break;
      case request_get_path:
        if (!path)
          path = text_of(a);
        break;
      case request_get_raw_query:
        raw_query = text_of(a);
        break;
      case request_get_path_with_query:
        if (auto whole = text_of(a)) {
          const auto q = whole->find('?');
          if (!path)
            path = whole->substr(0, q);
          if (q != std::string::npos && !raw_query)
            raw_query = whole->substr(q + 1);
        }
        break;
      case request_get_http_version:
        if (a && a->is_number())
          http_version = a->as_double() == 2 ? "2" : fmt::format("{:.1f}", a->as_double());
        break;
      case request_get_header:
        if (first_arg && first_arg->is_text()) {
          if (auto value = text_of(a))
            header(std::string(first_arg->text()), *value);
        }
        break;
      case request_get_headers: {
        // Every value of a header it names, unless an earlier answer gave it.
        const std::set<std::string> known = header_names;
        for (const auto& [name, value] : headers_of(a)) {
          if (known.count(lower(name)) == 0) {
            headers.emplace_back(name, value);
            header_names.insert(lower(name));
          }
        }
        break;
      }
      case request_get_raw_body:
        body = text_of(a);
        break;
      case client_get_ip:
        client_ip = text_of(a);
        break;
      case client_get_port:
        client_port = integer_of(a);
        break;
      case client_get_consumer:
        consumer = entity_of(a);
        break;
      case client_get_credential:
        credential = entity_of(a);
        break;
      case router_get_route:
        route = entity_of(a);
        break;
      case router_get_service:
        service = entity_of(a);
        break;
      case service_response_get_status:
        if (auto status = integer_of(a))
          upstream_answer().status = static_cast<int>(*status);
        break;
      case service_response_get_headers:
        upstream_answer().headers = headers_of(a);
        break;
      case service_response_get_raw_body:
        if (auto raw = text_of(a))
          upstream_answer().body = *raw;
        break;
      case response_exit:
        if (auto status = first_arg ? integer_of(*first_arg) : std::nullopt)
          exit_status = status;
        break;
      default:  // a call that tells nothing about the request
        break;
    }
  }

  // The request: what was revealed, the fixture's defaults for the rest.
  // An https request when the certificate phase ran, which only TLS has.
  FixtureRequest request(bool tls) const {
    FixtureRequest r;
    if (method)
      r.method = *method;
    std::string host_part = host.value_or("localhost");
    if (!host) {
      for (const auto& [name, value] : headers) {
        if (lower(name) == "host")
          host_part = value.substr(0, value.rfind(':'));  // without its port
      }
    }
    const std::string s = scheme.value_or(tls ? "https" : "http");
    std::string url = s + "://" + host_part;
    if (port && *port != (s == "https" ? 443 : 80))
      url += ":" + std::to_string(*port);
    url += url_path(path.value_or("/"));
    if (raw_query && !raw_query->empty())
      url += "?" + *raw_query;
    // What a fixture cannot take (a host with odd bytes, a path nginx
    // refuses) falls back: to localhost, then to its root too.
    r.url = s + "://localhost/";
    for (const std::string& candidate : {url, s + "://localhost" + url_path(path.value_or("/"))}) {
      const auto parsed = parse_url(candidate);
      if (parsed.ok() && nginx_uri(parsed->path)) {
        r.url = candidate;
        break;
      }
    }
    if (http_version)
      r.http_version = *http_version;
    r.headers = headers;
    r.body = body.value_or("");
    return r;
  }
};

// Header-name comparisons ignore case, as Kong's do.
struct Redaction {
  std::set<std::string> names;

  bool hides(std::string_view name) const { return names.count(lower(name)) > 0; }

  // A value of a map keyed by a hidden header, wherever the map is.
  void hide_in(json& j) const {
    if (j.is_array()) {
      for (auto& item : j)
        hide_in(item);
    } else if (j.is_object()) {
      for (auto& [key, value] : j.items()) {
        if (hides(key))
          value = hidden(value);
        else
          hide_in(value);
      }
    }
  }

  static json hidden(const json& value) {
    if (value.is_array())
      return json::array({kRedacted});
    return kRedacted;
  }

  // A call naming a hidden header first: kong.request.get_header("authorization"),
  // kong.service.request.set_header("Authorization", token), ...
  void hide_call(const RecordedCall& call, TranscriptCall& t) const {
    hide_in(t.args);
    if (t.answer)
      hide_in(*t.answer);
    const bool header_call = call.method.find("header") != std::string::npos;
    if (!header_call || !t.args.is_array() || t.args.empty() || !t.args[0].is_string() ||
        !hides(t.args[0].get<std::string>()))
      return;
    for (std::size_t i = 1; i < t.args.size(); ++i)
      t.args[i] = json{{"$redacted", true}};
    if (t.answer && !t.answer->is_null())
      *t.answer = hidden(*t.answer);
  }

  void hide_headers(HeaderList& headers) const {
    for (auto& [name, value] : headers) {
      if (hides(name))
        value = kRedacted;
    }
  }
};

bool ran(const RecordedLifecycle& l, Phase p) {
  return std::find(l.phases.begin(), l.phases.end(), p) != l.phases.end();
}

}  // namespace

json fixture_config(const json& kong_config) {
  if (!kong_config.is_object())
    return json::object();
  json out = json::object();
  for (const auto& [key, value] : kong_config.items()) {
    if (!kong_key(key))
      out[key] = value;
  }
  return out;
}

Case recorded_case(const RecordedLifecycle& lifecycle, const RecordedCaseOptions& options) {
  Redaction redaction;
  for (const auto& name : options.redact_headers)
    redaction.names.insert(lower(name));
  Facts facts;
  Case c;
  c.transcript.emplace();
  for (const RecordedCall& call : lifecycle.calls) {
    facts.learn(call);
    TranscriptCall& t = c.transcript->emplace_back();
    t.phase = std::string(to_string(call.phase));
    t.method = call.method;
    t.args = call.args.is_array() ? transcript_json(call.args) : json::array();
    if (call.answer)
      t.answer = transcript_json(*call.answer);
    else if (call.abandoned)
      t.error = std::string(kAbandonedCall);
    redaction.hide_call(call, t);
  }
  c.subsystem = ran(lifecycle, Phase::preread) ? "stream" : "http";
  c.request = facts.request(ran(lifecycle, Phase::certificate));
  redaction.hide_headers(c.request.headers);
  if (facts.client_ip)
    c.client.ip = *facts.client_ip;
  if (facts.client_port)
    c.client.port = static_cast<int>(*facts.client_port);
  c.route = facts.route;
  c.service = facts.service;
  c.consumer = facts.consumer;
  c.credential = facts.credential;
  if (facts.upstream) {
    c.upstream = std::move(facts.upstream);
    redaction.hide_headers(c.upstream->headers);
  }
  for (json* entity : {&c.route, &c.service, &c.consumer, &c.credential})
    redaction.hide_in(*entity);

  // The plugin's entity, from the ids Kong put in its configuration: the
  // case's scope, and an entity of that id for the replay to find.
  const json& config = lifecycle.config;
  auto entity_id = [&](const char* key) -> std::optional<std::string> {
    const auto it = config.is_object() ? config.find(key) : config.end();
    if (it == config.end() || !it->is_string())
      return std::nullopt;
    return it->get<std::string>();
  };
  c.scope = "global";
  for (auto [key, scope, entity] :
       {std::tuple{"route_id", "route", &c.route}, std::tuple{"service_id", "service", &c.service},
        std::tuple{"consumer_id", "consumer", &c.consumer}}) {
    if (auto id = entity_id(key)) {
      c.scope = scope;
      if (!entity->is_object())
        *entity = json{{"id", *id}};
      break;
    }
  }

  std::vector<std::string> phases;
  for (Phase p : lifecycle.phases)
    phases.emplace_back(to_string(p));
  c.expect.phases = std::move(phases);
  if (!lifecycle.errors.empty())
    c.expect.errors = lifecycle.errors;
  if (facts.exit_status)
    c.expect.response.emplace().status = static_cast<int>(*facts.exit_status);

  const bool named =
      (!facts.method || is_utf8(*facts.method)) && (!facts.path || is_utf8(*facts.path));
  const std::string what =
      named && (facts.method || facts.path)
          ? fmt::format(" {} {}", facts.method.value_or("GET"), facts.path.value_or("/"))
          : "";
  c.name = fmt::format("#{}{}", lifecycle.number, what);
  return c;
}

}  // namespace kong::mock
