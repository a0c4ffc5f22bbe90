#include "server/plugin_info.h"

namespace kong::server {

nlohmann::json plugin_info(const std::string& name, const PluginType& type, Protocol protocol,
                           const std::string& socket_path) {
  auto phases = nlohmann::json::array();
  for (Phase p : type.phases)
    phases.push_back(std::string(to_string(p)));
  nlohmann::json info = {
      {"Name", name},
      {"Phases", std::move(phases)},
      {"Version", type.version},
      {"Priority", type.priority},
      {"Schema", plugin_schema(name, type)},
  };
  return {
      {"Protocol", std::string(to_string(protocol))},
      {"SocketPath", socket_path},
      {"Plugins", nlohmann::json::array({std::move(info)})},
  };
}

nlohmann::json plugin_schema(const std::string& name, const PluginType& type) {
  return {
      {"name", name},
      {"fields", nlohmann::json::array({nlohmann::json{{"config", type.config_schema}}})},
  };
}

}  // namespace kong::server
