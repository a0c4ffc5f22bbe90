#include "server/plugin_info.h"

namespace kong::server {

nlohmann::json plugin_info(const std::string& name, const PluginType& type,
                           const std::string& protocol, const std::string& socket_path) {
  auto phases = nlohmann::json::array();
  for (Phase p : type.phases)
    phases.push_back(std::string(to_string(p)));
  nlohmann::json schema = {
      {"name", name},
      {"fields", nlohmann::json::array({nlohmann::json{{"config", type.config_schema}}})},
  };
  nlohmann::json info = {
      {"Name", name},
      {"Phases", std::move(phases)},
      {"Version", type.version},
      {"Priority", type.priority},
      {"Schema", std::move(schema)},
  };
  return {
      {"Protocol", protocol},
      {"SocketPath", socket_path},
      {"Plugins", nlohmann::json::array({std::move(info)})},
  };
}

}  // namespace kong::server
