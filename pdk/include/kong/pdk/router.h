#pragma once

#include <optional>

#include "kong/pdk/channel.h"
#include "kong/pdk/entities.h"

namespace kong {

/// kong.router: what the router matched for this request. Phases access,
/// response and log.
class Router {
 public:
  explicit Router(Channel& channel) : channel_(channel) {}

  /// The matched route; nullopt when none matched.
  std::optional<entity::Route> get_route() {
    return channel_.call(protocol::methods::router_get_route);
  }
  /// The service of the matched route; nullopt when it has none.
  std::optional<entity::Service> get_service() {
    return channel_.call(protocol::methods::router_get_service);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
