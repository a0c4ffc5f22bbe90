#pragma once

#include <string_view>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.service.request: the request Kong sends to the upstream service.
/// Phases rewrite and access.
class ServiceRequest {
 public:
  explicit ServiceRequest(Channel& channel) : channel_(channel) {}

  /// Replaces a header of the upstream request (Host changes the upstream Host).
  void set_header(std::string_view name, const HeaderValue& value) {
    channel_.call(protocol::methods::service_request_set_header, name, value);
  }
  /// Sets the upstream path; it must start with "/".
  void set_path(std::string_view path) {
    channel_.call(protocol::methods::service_request_set_path, path);
  }
  /// Sets the upstream method ("GET", "POST", ...).
  void set_method(std::string_view method) {
    channel_.call(protocol::methods::service_request_set_method, method);
  }
  /// Sets the upstream query string, without "?".
  void set_raw_query(std::string_view query) {
    channel_.call(protocol::methods::service_request_set_raw_query, query);
  }

 private:
  Channel& channel_;
};

/// kong.service.
class Service {
 public:
  explicit Service(Channel& channel) : request(channel) {}
  ServiceRequest request;
};

}  // namespace kong
