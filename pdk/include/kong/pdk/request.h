#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.request: the request as the client sent it. Phases rewrite, access,
/// response and log unless noted.
class Request {
 public:
  explicit Request(Channel& channel) : channel_(channel) {}

  /// "http" or "https", lower case.
  std::string get_scheme() { return channel_.call(protocol::methods::request_get_scheme); }
  /// Host of the request (from the Host header or the request line), lower case, no port.
  std::string get_host() { return channel_.call(protocol::methods::request_get_host); }
  /// Port the request came in on. Any phase.
  std::int64_t get_port() { return channel_.call(protocol::methods::request_get_port); }
  /// Scheme as the client used it: a trusted peer's X-Forwarded-Proto, else get_scheme().
  std::string get_forwarded_scheme() {
    return channel_.call(protocol::methods::request_get_forwarded_scheme);
  }
  /// Host as the client used it: a trusted peer's X-Forwarded-Host (lower
  /// case, without user info and port), else get_host().
  std::string get_forwarded_host() {
    return channel_.call(protocol::methods::request_get_forwarded_host);
  }
  /// Port as the client used it: a trusted peer's X-Forwarded-Port (or the
  /// port in its X-Forwarded-Host), else the listener's port after port_maps.
  std::int64_t get_forwarded_port() {
    return channel_.call(protocol::methods::request_get_forwarded_port);
  }
  /// Path as the client used it: a trusted peer's X-Forwarded-Path, else get_path().
  std::string get_forwarded_path() {
    return channel_.call(protocol::methods::request_get_forwarded_path);
  }
  /// A trusted peer's X-Forwarded-Prefix, else the prefix the route stripped;
  /// nullopt when there is none (and before routing).
  std::optional<std::string> get_forwarded_prefix() {
    return channel_.call(protocol::methods::request_get_forwarded_prefix);
  }
  /// HTTP version of the request (1.0, 1.1, 2.0...); nullopt when Kong does not know it.
  std::optional<double> get_http_version() {
    return channel_.call(protocol::methods::request_get_http_version);
  }
  /// Method, upper case ("GET").
  std::string get_method() { return channel_.call(protocol::methods::request_get_method); }
  /// Path, normalized, without the query string.
  std::string get_path() { return channel_.call(protocol::methods::request_get_path); }
  /// Path exactly as the client sent it: not decoded, not normalized, no query string.
  std::string get_raw_path() { return channel_.call(protocol::methods::request_get_raw_path); }
  /// Path and "?query" exactly as the client sent them.
  std::string get_path_with_query() {
    return channel_.call(protocol::methods::request_get_path_with_query);
  }
  /// Query string without the "?", not decoded; "" when none.
  std::string get_raw_query() { return channel_.call(protocol::methods::request_get_raw_query); }
  /// First value of a query argument, decoded; nullopt when absent. A flag
  /// without "=" (`?debug`) gives "", as `debug=` does.
  std::optional<std::string> get_query_arg(std::string_view name);
  /// Every query argument with all its values; a flag has no values.
  /// `max_args` (1..1000, Kong's default 100) caps how many are parsed.
  MultiMap get_query(std::int64_t max_args = kDefaultMaxArgs) {
    return channel_.call(protocol::methods::request_get_query, max_args);
  }
  /// First value of a header (case-insensitive name, "_" matches "-"); nullopt when absent.
  std::optional<std::string> get_header(std::string_view name) {
    return channel_.call(protocol::methods::request_get_header, name);
  }
  /// Every header, names lower case. `max_headers`: 1..1000, Kong's default 100.
  MultiMap get_headers(std::int64_t max_headers = kDefaultMaxHeaders) {
    return channel_.call(protocol::methods::request_get_headers, max_headers);
  }
  /// The whole body. Kong cannot read a body nginx buffered to a file unless
  /// `max_allowed_file_size` allows it (0: any size); over MsgPack:1 it then
  /// fails the event rather than answer nil. Phases rewrite, access and response.
  std::optional<Bytes> get_raw_body(std::optional<std::int64_t> max_allowed_file_size = {}) {
    return channel_.call(protocol::methods::request_get_raw_body, max_allowed_file_size);
  }
  /// The body parsed after `mimetype` (default: the Content-Type): a form
  /// gives an object of its fields, JSON its object or array, multipart its
  /// parts. nullopt when Kong could not parse it (no or unknown content type,
  /// bad JSON); the reason does not reach the plugin. `max_args` (1..1000)
  /// caps form fields. Phases rewrite, access and response.
  std::optional<nlohmann::json> get_body(
      std::optional<std::string> mimetype = std::nullopt,
      std::optional<std::int64_t> max_args = std::nullopt,
      std::optional<std::int64_t> max_allowed_file_size = std::nullopt) {
    return channel_.call(protocol::methods::request_get_body, mimetype, max_args,
                         max_allowed_file_size);
  }
  /// Groups of the matched route's regex path: the whole match and each group
  /// in `unnamed`, named groups in `named`; both empty without regex captures.
  UriCaptures get_uri_captures() {
    return channel_.call(protocol::methods::request_get_uri_captures);
  }
  /// When Kong started on the request, in milliseconds since the epoch.
  double get_start_time() { return channel_.call(protocol::methods::request_get_start_time); }

 private:
  Channel& channel_;
};

}  // namespace kong
