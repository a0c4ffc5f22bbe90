#pragma once

#include <string>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.client: the downstream client.
class Client {
 public:
  explicit Client(Channel& channel) : channel_(channel) {}

  /// Address of the connection's peer (not X-Forwarded-For). Any phase.
  std::string get_ip() { return channel_.call(protocol::methods::client_get_ip); }

 private:
  Channel& channel_;
};

}  // namespace kong
