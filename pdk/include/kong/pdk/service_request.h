#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.service.request: the request Kong sends to the upstream service.
/// Phases rewrite and access, unless noted.
class ServiceRequest {
 public:
  explicit ServiceRequest(Channel& channel) : channel_(channel) {}

  /// Sets the upstream scheme: "http" or "https" (Kong raises for others).
  void set_scheme(std::string_view scheme) {
    channel_.call(protocol::methods::service_request_set_scheme, scheme);
  }
  /// Sets the upstream method, upper case ("GET", "POST", ...; Kong raises
  /// for a method it does not know).
  void set_method(std::string_view method) {
    channel_.call(protocol::methods::service_request_set_method, method);
  }
  /// Sets the upstream path, without query; it must start with "/". Kong
  /// escapes what needs escaping.
  void set_path(std::string_view path) {
    channel_.call(protocol::methods::service_request_set_path, path);
  }
  /// Sets the upstream query string as it is, without "?".
  void set_raw_query(std::string_view query) {
    channel_.call(protocol::methods::service_request_set_raw_query, query);
  }
  /// Replaces the upstream query string with `args`, encoded, names sorted;
  /// several values repeat the name. A name with no values is left out: Kong
  /// writes a bare flag only for Lua's `true`.
  void set_query(const MultiMap& args) {
    channel_.call(protocol::methods::service_request_set_query, args);
  }
  /// Replaces a header of the upstream request (Host changes the upstream
  /// Host); several values make several header lines.
  void set_header(std::string_view name, const HeaderValue& value) {
    channel_.call(protocol::methods::service_request_set_header, name, value);
  }
  /// Adds a header line, keeping those already set.
  void add_header(std::string_view name, const HeaderValue& value) {
    channel_.call(protocol::methods::service_request_add_header, name, value);
  }
  /// Removes every line of a header; no error when there is none.
  void clear_header(std::string_view name) {
    channel_.call(protocol::methods::service_request_clear_header, name);
  }
  /// Replaces each header named in `headers`, keeping the others.
  void set_headers(const MultiMap& headers) {
    channel_.call(protocol::methods::service_request_set_headers, headers);
  }
  /// Replaces the upstream body; Content-Length follows it.
  void set_raw_body(const Bytes& body) {
    channel_.call(protocol::methods::service_request_set_raw_body, body);
  }
  /// Encodes `args` (a JSON object) as the upstream body, after `mimetype`
  /// (default: the request's Content-Type): a form, JSON or multipart, and
  /// sets Content-Type. True when done; false when Kong refused (no content
  /// type known); Kong raises for an unsupported one.
  bool set_body(const nlohmann::json& args, std::optional<std::string> mimetype = std::nullopt) {
    return channel_.call(protocol::methods::service_request_set_body, args, mimetype)
        .value_or(false);
  }
  /// Proxies this request in buffered mode, as a plugin with a response
  /// handler does, so that kong.service.response can read the body.
  void enable_buffering() { channel_.call(protocol::methods::service_request_enable_buffering); }
  /// Talks plain text to the upstream of this stream connection. True when
  /// done; false when Kong refused. Phase preread.
  bool disable_tls() {
    return channel_.call(protocol::methods::service_request_disable_tls).value_or(false);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
