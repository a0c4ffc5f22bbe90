#pragma once

#include <string_view>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.ip: Kong's trusted_ips setting.
class Ip {
 public:
  explicit Ip(Channel& channel) : channel_(channel) {}

  /// Whether `address` lies in trusted_ips: false when none are configured or
  /// the address does not parse. Any phase.
  bool is_trusted(std::string_view address) {
    return channel_.call(protocol::methods::ip_is_trusted, address);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
