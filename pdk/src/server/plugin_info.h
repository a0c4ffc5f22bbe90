#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "kong/pdk/plugin.h"
#include "kong/pdk/protocol.h"

namespace kong::server {

/// What `-dump` prints for Kong's query command (protocol.md §1):
/// {"Protocol", "SocketPath", "Plugins": [{"Name", "Phases", "Version", "Priority", "Schema"}]}.
nlohmann::json plugin_info(const std::string& name, const PluginType& type, Protocol protocol,
                           const std::string& socket_path);

/// The plugin's Kong entity schema: {"name": name, "fields": [{"config": record}]}.
/// `-dump` and ProtoBuf:1's cmd_get_plugin_info both carry it.
nlohmann::json plugin_schema(const std::string& name, const PluginType& type);

}  // namespace kong::server
