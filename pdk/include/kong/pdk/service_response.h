#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.service.response: the response the upstream service sent. Phases
/// response and log. The body is there only with buffered proxying (a
/// response handler, or kong.service.request.enable_buffering); without it
/// Kong raises for the body getters.
class ServiceResponse {
 public:
  explicit ServiceResponse(Channel& channel) : channel_(channel) {}

  /// The upstream's status; nullopt when the request was not proxied.
  std::optional<std::int64_t> get_status() {
    return channel_.call(protocol::methods::service_response_get_status);
  }
  /// First value of an upstream header (case-insensitive, "_" matches "-");
  /// nullopt when the upstream did not send it.
  std::optional<std::string> get_header(std::string_view name) {
    return channel_.call(protocol::methods::service_response_get_header, name);
  }
  /// The upstream headers, as Kong sends them: with buffered proxying (so in
  /// response) an empty map, otherwise every header of the client response,
  /// the upstream's and those added since. Prefer get_header().
  MultiMap get_headers(std::int64_t max_headers = kDefaultMaxHeaders) {
    return channel_.call(protocol::methods::service_response_get_headers, max_headers);
  }
  /// The whole upstream body; empty when there was none.
  Bytes get_raw_body() { return channel_.call(protocol::methods::service_response_get_raw_body); }
  /// The upstream body parsed as kong.request.get_body parses; nullopt when
  /// Kong could not (the reason does not reach the plugin).
  std::optional<nlohmann::json> get_body(std::optional<std::string> mimetype = std::nullopt,
                                         std::optional<std::int64_t> max_args = std::nullopt) {
    return channel_.call(protocol::methods::service_response_get_body, mimetype, max_args);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
