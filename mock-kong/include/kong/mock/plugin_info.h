#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/result.h"

namespace kong::mock {

/// What a plugin server's query command told about its (first) plugin
/// (protocol.md §1).
struct PluginInfo {
  std::string name;
  std::string protocol = "MsgPack:1";  // "MsgPack:1" or "ProtoBuf:1"
  std::string socket_path;             // "" when the dump gave none
  std::vector<std::string> phases;
  std::string version;
  int priority = 0;
  nlohmann::json schema;  // the whole Kong entity schema
  /// What makes the plugin do nothing where its author expects it to: no
  /// phase handled, a phase name Kong does not have.
  std::vector<std::string> warnings;
};

/// Parses query-command output: {"Protocol", "SocketPath", "Plugins": [INFO]}
/// or a bare [INFO] (then MsgPack:1). Only the first INFO counts, as in Kong.
/// Errors say which field is missing or of which wrong type.
Result<PluginInfo> parse_plugin_info(std::string_view json_text);

/// Runs `query_cmd` through /bin/sh (as Kong does), with `env` set on top of
/// ours, and parses its stdout. A command that fails, times out or prints no
/// valid JSON is an error that names the command and shows its exit status
/// and the tail of its output.
Result<PluginInfo> query_plugin(const std::string& query_cmd, std::chrono::milliseconds timeout,
                                const std::vector<std::pair<std::string, std::string>>& env = {});

}  // namespace kong::mock
