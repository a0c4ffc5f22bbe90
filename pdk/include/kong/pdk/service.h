#pragma once

#include <cstdint>
#include <string_view>

#include "kong/pdk/channel.h"
#include "kong/pdk/service_request.h"
#include "kong/pdk/service_response.h"

namespace kong {

/// kong.service: where and how Kong proxies the request. (The matched service
/// entity is kong.router.get_service(), an entity::Service.)
class Service {
 public:
  explicit Service(Channel& channel) : request(channel), response(channel), channel_(channel) {}

  ServiceRequest request;
  ServiceResponse response;

  /// Proxies to the Upstream entity named `host`, load balanced. True when
  /// done; false when Kong refused (no such Upstream; the reason does not
  /// reach the plugin). Phase access.
  bool set_upstream(std::string_view host) {
    return channel_.call(protocol::methods::service_set_upstream, host).value_or(false);
  }
  /// Proxies to `host`:`port` (0..65535) directly, with no load balancing;
  /// `host` also becomes the upstream Host. Phases rewrite, access and
  /// preread.
  void set_target(std::string_view host, std::int64_t port) {
    channel_.call(protocol::methods::service_set_target, host, port);
  }
  /// Would register a Lua function that picks the target on retries; no
  /// plugin can send one over the socket, so Kong raises, the event fails and
  /// the call does not return. Phase access.
  void set_target_retry_callback() {
    channel_.call(protocol::methods::service_set_target_retry_callback);
  }
  /// How often Kong retries the upstream for this request (0..32767).
  /// Phase access.
  void set_retries(std::int64_t retries) {
    channel_.call(protocol::methods::service_set_retries, retries);
  }
  /// Upstream timeouts for this request, in milliseconds (1..2147483646).
  /// Phase access.
  void set_timeouts(std::int64_t connect_timeout, std::int64_t write_timeout,
                    std::int64_t read_timeout) {
    channel_.call(protocol::methods::service_set_timeouts, connect_timeout, write_timeout,
                  read_timeout);
  }
  /// Whether Kong verifies the upstream's TLS certificate for this request.
  /// True when done; false when Kong refused. Phases rewrite, access and
  /// preread.
  bool set_tls_verify(bool on) {
    return channel_.call(protocol::methods::service_set_tls_verify, on).value_or(false);
  }
  /// How deep Kong verifies the upstream's certificate chain for this
  /// request. True when done; false when Kong refused. Phases rewrite, access
  /// and preread.
  bool set_tls_verify_depth(std::int64_t depth) {
    return channel_.call(protocol::methods::service_set_tls_verify_depth, depth).value_or(false);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
