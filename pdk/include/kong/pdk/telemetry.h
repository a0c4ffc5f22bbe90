#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.telemetry: records for the OpenTelemetry logs pipeline.
class Telemetry {
 public:
  explicit Telemetry(Channel& channel) : channel_(channel) {}

  /// Adds a log record with `message` and `attributes` (a JSON object),
  /// tagged with the plugin's name, its config's __plugin_id and
  /// `message_type`. True when recorded; false when Kong refused, for
  /// example because no OpenTelemetry plugin collects logs (the reason does
  /// not reach the plugin). Any phase.
  bool log(std::string_view plugin_name, const nlohmann::json& plugin_config,
           std::string_view message_type, std::optional<std::string> message = std::nullopt,
           std::optional<nlohmann::json> attributes = std::nullopt) {
    return channel_
        .call(protocol::methods::telemetry_log, plugin_name, plugin_config, message_type, message,
              attributes)
        .value_or(false);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
