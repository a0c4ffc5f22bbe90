#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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
  /// Method, upper case ("GET").
  std::string get_method() { return channel_.call(protocol::methods::request_get_method); }
  /// Path, normalized, without the query string.
  std::string get_path() { return channel_.call(protocol::methods::request_get_path); }
  /// Query string without the "?", not decoded; "" when none.
  std::string get_raw_query() { return channel_.call(protocol::methods::request_get_raw_query); }
  /// First value of a query argument, decoded; nullopt when absent. A flag
  /// without "=" (`?debug`) gives "", as `debug=` does.
  std::optional<std::string> get_query_arg(std::string_view name);
  /// Every query argument with all its values; a flag has no values.
  /// `max_args` (1..1000, Kong's default 100) caps how many are parsed.
  MultiMap get_query(std::optional<std::int64_t> max_args = std::nullopt) {
    return channel_.call(protocol::methods::request_get_query, max_args);
  }
  /// First value of a header (case-insensitive name, "_" matches "-"); nullopt when absent.
  std::optional<std::string> get_header(std::string_view name) {
    return channel_.call(protocol::methods::request_get_header, name);
  }
  /// Every header, names lower case. `max_headers`: 1..1000, Kong's default 100.
  MultiMap get_headers(std::optional<std::int64_t> max_headers = std::nullopt) {
    return channel_.call(protocol::methods::request_get_headers, max_headers);
  }
  /// The whole body; nullopt when Kong could not read it (buffered to disk).
  /// Phases rewrite, access and response.
  std::optional<Bytes> get_raw_body() {
    return channel_.call(protocol::methods::request_get_raw_body);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
