#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kong/pdk/channel.h"
#include "kong/pdk/entities.h"

namespace kong {

/// kong.node: the Kong node running the plugin. Any phase.
class Node {
 public:
  explicit Node(Channel& channel) : channel_(channel) {}

  /// The machine's host name; "" when the system would not tell.
  std::string get_hostname() { return channel_.call(protocol::methods::node_get_hostname); }
  /// This node's id (a UUID), stable while the node lives.
  std::string get_id() { return channel_.call(protocol::methods::node_get_id); }
  /// Memory of each lua_shared_dict and each worker's Lua VM. Figures are
  /// byte counts; with `unit` ("k", "m" or "g", either case) they are
  /// strings such as "1.50 MiB", with `scale` decimals (default 2). Kong
  /// raises for another unit or a negative scale.
  entity::MemoryStats get_memory_stats(std::optional<std::string> unit = std::nullopt,
                                       std::optional<std::int64_t> scale = std::nullopt) {
    return channel_.call(protocol::methods::node_get_memory_stats, unit, scale);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
