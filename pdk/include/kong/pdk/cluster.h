#pragma once

#include <optional>
#include <string>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.cluster: the Kong cluster this node belongs to.
class Cluster {
 public:
  explicit Cluster(Channel& channel) : channel_(channel) {}

  /// The cluster's id (a UUID); nullopt when Kong could not read it from its
  /// database or cache. Any phase.
  std::optional<std::string> get_id() { return channel_.call(protocol::methods::cluster_get_id); }

 private:
  Channel& channel_;
};

}  // namespace kong
