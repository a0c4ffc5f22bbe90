#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/result.h"

namespace kong::mock {

/// Header lines in the order given; a name may repeat. Names keep their case.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// The request the client sends (fixture `request`).
struct FixtureRequest {
  std::string method = "GET";
  /// Absolute URL: scheme, host, optional port, path, optional query.
  std::string url = "http://localhost/";
  /// "1.1" unless given ("1.0", "1.1", "2").
  std::string http_version = "1.1";
  HeaderList headers;
  std::string body;
  bool operator==(const FixtureRequest&) const = default;
};

/// The client's TLS session on an https request (fixture `client.tls`).
struct FixtureTls {
  std::string version = "TLSv1.3";
  std::string cipher = "TLS_AES_256_GCM_SHA384";
  /// PEM chain the client presented (mTLS); nullopt: none.
  std::optional<std::string> certificate_chain;
  /// nginx's $ssl_client_verify; nullopt: "SUCCESS" with a chain, "NONE" without.
  std::optional<std::string> client_verify;
  bool operator==(const FixtureTls&) const = default;
};

/// The downstream client's connection (fixture `client`).
struct FixtureClient {
  std::string ip = "127.0.0.1";
  int port = 40000;
  FixtureTls tls;
  bool operator==(const FixtureClient&) const = default;
};

/// An Upstream entity (fixture `upstreams`): its name, its targets
/// ("host:port", port 8000 when left out) and the Host it sends
/// (`host_header`; default: the target's host).
struct UpstreamEntity {
  std::string name;
  std::vector<std::string> targets;
  std::optional<std::string> host_header;
  bool operator==(const UpstreamEntity&) const = default;
};

/// Where the balancer sends a request: a host (address or name) and port.
struct UpstreamPeer {
  std::string host;
  std::int64_t port = 0;
};

/// A target as Kong reads one: "host:port", "[v6]:port", or a host alone
/// (port 8000); nullopt when it is none.
std::optional<UpstreamPeer> parse_target(std::string_view target);

/// Kong's node-wide configuration and database, shared by every case of a
/// fixture (fixture top level): what kong.ip, kong.node, kong.cluster,
/// kong.vault and kong.client.load_consumer read.
struct KongSettings {
  /// kong.conf trusted_ips: addresses and CIDR blocks, IPv4 or IPv6.
  std::vector<std::string> trusted_ips;
  /// kong.conf real_ip_header and real_ip_recursive.
  std::string real_ip_header = "X-Real-IP";
  bool real_ip_recursive = false;
  std::string node_id = "6b2a5c9e-3f1d-4e8a-9c7b-0d1e2f3a4b5c";
  std::string node_hostname = "mock-kong";
  /// nullopt: no cluster id (DB-less without one).
  std::optional<std::string> cluster_id = "0f0e0d0c-0b0a-4090-8070-605040302010";
  /// Consumer entities in the database, for kong.client.load_consumer.
  std::vector<nlohmann::json> consumers;
  /// Secrets: vault name ("env" or a vault prefix) -> resource -> value.
  std::map<std::string, std::map<std::string, std::string>> vault;
  /// The Upstream entities Kong has (kong.service.set_upstream, or a
  /// service whose host names one).
  std::vector<UpstreamEntity> upstreams;
  bool operator==(const KongSettings&) const = default;
};

/// A header name nginx takes (underscores_in_headers is on in Kong):
/// letters, digits, "-" and "_"; it ignores a header with any other byte.
bool valid_header_name(std::string_view name);
/// A header value a fixture can send: no CR, LF or NUL (nginx ends the
/// header line there, or refuses it).
bool valid_header_value(std::string_view value);

/// The settings of a fixture that gives none: one instance, shared.
const std::shared_ptr<const KongSettings>& default_kong_settings();

/// `settings` made its holder's own to change: the fixture and its other
/// cases keep theirs. Each call copies, so keep the reference for several edits.
KongSettings& own_copy(std::shared_ptr<const KongSettings>& settings);

/// The Upstream entity named `name`, or nullptr.
const UpstreamEntity* find_upstream(const KongSettings& kong, std::string_view name);

/// What the upstream service answers (fixture `upstream`). Omitted: an echo
/// service (status 200, the service request's headers and body).
struct FixtureUpstream {
  int status = 200;
  HeaderList headers;
  std::string body;
  bool operator==(const FixtureUpstream&) const = default;
};

/// One expected header. `values`: nullopt means the header must be absent.
/// `all_values`: the fixture gave an array, so every value is compared in
/// order; a string compares the first value only.
struct ExpectedHeader {
  std::string name;
  std::optional<std::vector<std::string>> values;
  bool all_values = false;
  bool operator==(const ExpectedHeader&) const = default;
};

/// Expectations on the response the client gets (fixture `expect.response`).
struct ExpectedResponse {
  std::optional<int> status;
  std::vector<ExpectedHeader> headers;
  /// Exact body bytes.
  std::optional<std::string> body;
  /// Body parsed as JSON and compared as JSON (key order, spacing ignored).
  std::optional<nlohmann::json> json_body;
  bool operator==(const ExpectedResponse&) const = default;
};

/// Expectations on the request Kong sends upstream (`expect.service_request`).
struct ExpectedServiceRequest {
  std::vector<ExpectedHeader> headers;
  std::optional<std::string> method;
  std::optional<std::string> path;
  std::optional<std::string> raw_query;
  std::optional<std::string> body;
  bool operator==(const ExpectedServiceRequest&) const = default;
};

/// A log line that must have been written (`expect.log[i]`): `level` is one of
/// Kong's (alert, crit, err, warn, notice, info, debug); `contains` a substring.
struct ExpectedLog {
  std::string level;
  std::string contains;
  bool operator==(const ExpectedLog&) const = default;
};

/// What every case of a fixture must keep, whatever its request (fixture
/// `fuzz.invariants`): --fuzz reports a case that breaks one, and every mode
/// checks them, so that such a finding replays.
struct Invariants {
  /// The client's response status is one of these; any when empty.
  std::vector<int> status;
  /// Headers every response has.
  std::vector<std::string> response_headers;
  /// Headers every request proxied upstream has.
  std::vector<std::string> service_request_headers;
  bool empty() const {
    return status.empty() && response_headers.empty() && service_request_headers.empty();
  }
  bool operator==(const Invariants&) const = default;
};

/// The fixture's `fuzz` block.
struct FuzzSettings {
  /// Strings --fuzz puts into requests besides those of the config and cases.
  std::vector<std::string> dictionary;
  Invariants invariants;
  bool operator==(const FuzzSettings&) const = default;
};

/// What must come of one plugin of several on the request
/// (`expect.plugins.<name>`).
struct PluginExpectations {
  std::vector<ExpectedLog> log;
  /// The phases whose handler of the plugin ran, in order.
  std::optional<std::vector<std::string>> phases;
  /// What Kong logs as errors for the plugin, exactly and in order.
  std::optional<std::vector<std::string>> errors;
  bool operator==(const PluginExpectations&) const = default;
};

struct Expectations {
  std::optional<ExpectedResponse> response;
  std::optional<ExpectedServiceRequest> service_request;
  std::vector<ExpectedLog> log;
  /// The phases the plugin ran, in order.
  std::optional<std::vector<std::string>> phases;
  /// What Kong logs as errors for the case, exactly and in order: a PDK call
  /// Kong refused ("kong.response.get_status: function cannot be called in
  /// access phase (only in: ...)"), a failed handler. Not given: there must
  /// be none.
  std::optional<std::vector<std::string>> errors;
  /// With several plugins, per plugin name.
  std::map<std::string, PluginExpectations> plugins;
  /// The fixture's invariants, which hold for each of its cases.
  Invariants invariants;
  bool operator==(const Expectations&) const = default;
};

/// One PDK call of a recorded lifecycle, and Kong's answer (`transcript[i]`).
/// Values are in the transcript's JSON form (fixture/transcript_value.h):
/// strings that are not UTF-8 as {"$base64": ...}.
struct TranscriptCall {
  std::string phase;
  std::string method;
  nlohmann::json args = nlohmann::json::array();
  /// What Kong answered. nullopt: Kong sent nothing back, as after
  /// kong.response.exit, which ends the event.
  std::optional<nlohmann::json> answer;
  /// The Lua error the call raised in Kong instead (the event was abandoned).
  std::optional<std::string> error;
  bool operator==(const TranscriptCall&) const = default;
};

struct Case {
  std::string name;
  /// Where the case is in its file, for messages: "cases[2]".
  std::string path;
  std::string subsystem = "http";
  FixtureRequest request;
  FixtureClient client;
  /// Matched route and service entities, as Kong's JSON (null: none given).
  nlohmann::json route;
  nlohmann::json service;
  std::optional<FixtureUpstream> upstream;
  /// How the plugin is configured (`scope`): "global", "route", "service" or
  /// "consumer". Only a global plugin runs `certificate` and `rewrite`.
  std::string scope = "global";
  /// The router's regex captures of the path (`uri_captures`):
  /// {"unnamed": [whole match, group 1, ...], "named": {name: value}}; null: none.
  nlohmann::json uri_captures;
  /// Consumer and credential an earlier auth plugin authenticated (null: none).
  nlohmann::json consumer;
  nlohmann::json credential;
  /// nginx variables to set (a string) or unset (nullopt) over the computed ones.
  std::map<std::string, std::optional<std::string>> nginx_vars;
  /// The fixture's node-wide settings, shared by its cases (never null).
  std::shared_ptr<const KongSettings> kong = default_kong_settings();
  Expectations expect;
  /// The plugin's configuration for this case (`config`), in place of the
  /// fixture's: a recording of several instances. nullopt: the fixture's.
  std::optional<nlohmann::json> config;
  /// Every PDK call the plugin made, in order, with Kong's answers: a
  /// recorded lifecycle. Given, the case is replayed strictly: each call is
  /// answered from it, and the first call that differs fails the case.
  std::optional<std::vector<TranscriptCall>> transcript;
  bool operator==(const Case&) const = default;
};

/// One plugin of several on each request (fixture `plugins[i]`).
struct FixturePlugin {
  std::string name;
  nlohmann::json config = nlohmann::json::object();
  /// "global", "route", "service" or "consumer".
  std::string scope = "global";
  bool operator==(const FixturePlugin&) const = default;
};

struct Fixture {
  /// The file it was read from, as given.
  std::string file;
  /// Free text about the file (`description`); mock-kong only writes it.
  std::string description;
  /// The plugin configuration (fixture `config`; {} when omitted).
  nlohmann::json config = nlohmann::json::object();
  /// Node-wide settings (top-level trusted_ips, node, vault, ...); never null.
  std::shared_ptr<const KongSettings> kong = default_kong_settings();
  /// The top-level `scope`: the default of every case's.
  std::string scope = "global";
  /// The `fuzz` block; its invariants are in every case's expectations too.
  FuzzSettings fuzz;
  /// Several plugins, run in Kong's order on every case (`plugins`); empty
  /// for the one-plugin form (`config`, `scope`).
  std::vector<FixturePlugin> plugins;
  std::vector<Case> cases;
};

/// Parses fixture text, checked against the fixture JSON Schema. Errors name
/// the file, the JSON path and the problem, expected before actual:
/// "fixtures/hello.json: cases[1].request.headers.X-Id: expected string or array of strings, got
/// number 3".
Result<Fixture> parse_fixture(std::string_view text, const std::string& file);

/// Reads and parses a fixture file; an unreadable file is an error naming it.
Result<Fixture> load_fixture(const std::string& file);

/// The fixture JSON Schema (draft 2020-12), as shipped in fixtures/.
std::string_view fixture_schema_text();

}  // namespace kong::mock
