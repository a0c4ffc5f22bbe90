#pragma once

#include <string>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.plugin: the plugin configuration whose handler is running. (The
/// plugin struct machinery is kong/pdk/plugin.h.)
class PluginApi {
 public:
  explicit PluginApi(Channel& channel) : channel_(channel) {}

  /// Id (a UUID) of the plugin entity, that is of this configured instance.
  /// Any phase.
  std::string get_id() { return channel_.call(protocol::methods::plugin_get_id); }

 private:
  Channel& channel_;
};

}  // namespace kong
