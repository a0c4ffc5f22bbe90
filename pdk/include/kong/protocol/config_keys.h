#pragma once

#include <algorithm>
#include <array>
#include <string_view>

// What Kong adds to a plugin's configuration before it starts an instance
// with it, beside the schema's fields: the C++ PDK reads past these keys, and
// mock-kong sends them as Kong does.
namespace kong::protocol {

/// Kong's keys at the top of every configuration (kong/runloop/
/// plugins_iterator.lua, get_plugin_config): the plugin entity's scope
/// (route_id, service_id, consumer_id; present when it has one), its
/// instance_name, and "__"-prefixed bookkeeping (__seq__, __key__,
/// __plugin_id, __ws_id).
inline bool is_kong_config_key(std::string_view key) {
  constexpr std::array kScope = {std::string_view("route_id"), std::string_view("service_id"),
                                 std::string_view("consumer_id"),
                                 std::string_view("plugin_instance_name")};
  return key.starts_with("__") || std::find(kScope.begin(), kScope.end(), key) != kScope.end();
}

/// The key under which Kong keeps, in each record of the configuration, the
/// vault references it resolved in that record's fields (kong/db/schema,
/// process_auto_fields): {field: "{vault://...}"}.
inline constexpr std::string_view kReferencesKey = "$refs";

}  // namespace kong::protocol
