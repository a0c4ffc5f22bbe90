#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.nginx: nginx underneath Kong. Any phase; in log, Kong runs the
/// handler after the request, so ngx.ctx reads a copy taken then and
/// get_var fails.
class Nginx {
 public:
  explicit Nginx(Channel& channel) : channel_(channel) {}

  /// The raw ngx.ctx field `key` (Kong's own per-request state); null when
  /// unset.
  nlohmann::json get_ctx(std::string_view key) {
    return channel_.call(protocol::methods::nginx_get_ctx, key);
  }
  /// Connection and request counters of this node (nginx's stub_status):
  /// connections_active, _reading, _writing, _waiting, _accepted, _handled
  /// and total_requests.
  nlohmann::json get_statistics() { return channel_.call(protocol::methods::nginx_get_statistics); }
  /// "http" or "stream".
  std::string get_subsystem() { return channel_.call(protocol::methods::nginx_get_subsystem); }
  /// TLS version of the client connection ("TLSv1.3"); nullopt on plain text.
  std::optional<std::string> get_tls1_version_str() {
    return channel_.call(protocol::methods::nginx_get_tls1_version_str);
  }
  /// The nginx variable $`name`; nullopt when unset. Kong raises in log (the
  /// request's variables are gone by then), which fails the event.
  std::optional<std::string> get_var(std::string_view name) {
    return channel_.call(protocol::methods::nginx_get_var, name);
  }
  /// When the request started: seconds since the epoch, milliseconds in the
  /// fraction.
  double req_start_time() { return channel_.call(protocol::methods::nginx_req_start_time); }
  /// Sets the raw ngx.ctx field `key`, where Lua plugins see it too. In log it
  /// changes only Kong's copy.
  void set_ctx(std::string_view key, const nlohmann::json& value) {
    channel_.call(protocol::methods::nginx_set_ctx, key, value);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
