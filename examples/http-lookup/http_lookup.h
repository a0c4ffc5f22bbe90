// Authenticates the caller by asking an HTTP service who owns the API key
// the request carries, as plugins that call an identity, introspection or
// quota service do. The call blocks, so it runs in kong.blocking: while it
// waits, the plugin server goes on with every other request.
//   no key              401 {"message": "No API key found in request"}
//   the service: 404    401 {"message": "Invalid API key"}
//   the service: 200    the request goes on, x-key-owner: <its answer>
//   any other answer,   502 {"message": "Key service failed"}; unreachable
//   or too slow         or past timeout_ms: 503 {"message": "Key service unavailable"}
#pragma once

#include <httplib.h>

#include <cstdio>
#include <string>
#include <tuple>

#include "kong/pdk.h"

namespace http_lookup {

/// The service's answer, or why there is none.
struct Lookup {
  int status = 0;  // 0: no answer
  std::string body;
  std::string error;
};

/// `text` as one URL path segment.
inline std::string path_segment(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

struct Config {
  /// Where the key service answers: scheme, host and port.
  std::string service_url = "http://127.0.0.1:8089";
  /// The request header that carries the key.
  std::string key_header = "x-api-key";
  /// How long to wait for the service, connecting and reading.
  int timeout_ms = 1000;

  static constexpr auto fields() {
    return std::tuple{kong::field("service_url", &Config::service_url),
                      kong::field("key_header", &Config::key_header),
                      kong::field("timeout_ms", &Config::timeout_ms).between(1, 60'000)};
  }

  // const: it keeps no state between requests, so the server may run
  // several at once, on several threads.
  void access(kong::Pdk& kong) const {
    const auto key = kong.request.get_header(key_header);
    if (!key || key->empty())
      kong.response.exit(401, nlohmann::json{{"message", "No API key found in request"}});

    // The one blocking call: off the server's thread, while it serves others.
    const Lookup found = kong.blocking([&] { return lookup(*key); });

    if (found.status == 0) {
      kong.log.err("key service unavailable: ", found.error);
      kong.response.exit(503, nlohmann::json{{"message", "Key service unavailable"}});
    }
    if (found.status == 404)
      kong.response.exit(401, nlohmann::json{{"message", "Invalid API key"}});
    if (found.status != 200) {
      kong.log.err("key service answered ", found.status);
      kong.response.exit(502, nlohmann::json{{"message", "Key service failed"}});
    }
    kong.service.request.set_header("x-key-owner", found.body);
  }

  /// Asks the service; runs in kong.blocking, so it makes no PDK call.
  Lookup lookup(const std::string& key) const {
    httplib::Client client(service_url);
    const auto timeout = std::chrono::milliseconds(timeout_ms);
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    auto res = client.Get("/keys/" + path_segment(key));
    if (!res)
      return {0, "", httplib::to_string(res.error())};
    return {res->status, res->body, ""};
  }
};

}  // namespace http_lookup
