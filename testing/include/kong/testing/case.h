#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/mock/fixture.h"

namespace kong::testing {

/// A request lifecycle to run, built in C++: what a fixture case holds, set
/// with chained calls. Unset parts are a fixture's defaults: GET
/// http://localhost/, client 127.0.0.1, an echo upstream, a global plugin.
///
///     auto c = Case("POST", "https://api.test/v1/items")
///                  .header("Content-Type", "application/json")
///                  .body(R"({"id": 7})")
///                  .upstream(201, {{"Location", "/v1/items/7"}}, "");
class Case {
 public:
  explicit Case(std::string method = "GET", std::string url = "http://localhost/");

  /// The name reports show; "case" unless given.
  Case& name(std::string name);
  /// Adds a header line; a repeated name adds another line.
  Case& header(std::string name, std::string value);
  Case& body(std::string body);
  /// "1.0", "1.1" (the default) or "2".
  Case& http_version(std::string version);
  /// The downstream connection's address.
  Case& client(std::string ip, int port = 40000);
  /// The consumer and credential an earlier auth plugin authenticated, as
  /// Kong's entities ({"id", "username", ...}).
  Case& consumer(nlohmann::json consumer);
  Case& credential(nlohmann::json credential);
  /// The matched route and service entities, as Kong's JSON.
  Case& route(nlohmann::json route);
  Case& service(nlohmann::json service);
  /// What the upstream answers; an echo of the service request when unset.
  Case& upstream(int status, mock::HeaderList headers = {}, std::string body = "");
  /// How the plugin is configured: "global" (the default; it then runs
  /// certificate and rewrite too), "route", "service" or "consumer".
  Case& scope(std::string scope);
  /// A stream (TCP/TLS) connection: preread instead of rewrite to response.
  Case& stream();
  /// Sets an nginx variable the emulation reads ($name).
  Case& nginx_var(std::string name, std::string value);

  /// Kong's node settings and database for this case alone (trusted_ips,
  /// real_ip_header, consumers, vault, upstreams), to change.
  mock::KongSettings& kong_settings() { return mock::own_copy(case_.kong); }

  /// Everything else a fixture case can say (TLS, uri_captures, Kong's
  /// node settings, expectations), for direct edits.
  mock::Case& fixture_case() { return case_; }
  const mock::Case& fixture_case() const { return case_; }
  operator const mock::Case&() const { return case_; }

 private:
  mock::Case case_;
};

}  // namespace kong::testing
