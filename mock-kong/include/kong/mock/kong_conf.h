#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kong/result.h"

namespace kong::mock {

/// A plugin server as Kong's configuration loader derives it from
/// kong.conf (protocol.md §1).
struct PluginServerConf {
  /// As pluginserver_names gives it, lowercased.
  std::string name;
  /// pluginserver_<name>_socket, or <prefix>/<name>.socket.
  std::string socket;
  /// pluginserver_<name>_start_cmd, or /usr/local/bin/<name> when that file
  /// exists. None: Kong assumes the server is started by something else.
  std::optional<std::string> start_command;
  /// pluginserver_<name>_query_cmd, or `/usr/local/bin/<name> -dump`.
  std::string query_command;
};

/// What mock-kong takes from kong.conf, read as Kong reads it.
struct KongConf {
  /// Absolute, without a trailing slash (Kong's default /usr/local/kong/).
  std::string prefix = "/usr/local/kong";
  /// The plugins Kong loads, `bundled` standing for its own.
  std::vector<std::string> plugins{"bundled"};
  /// In pluginserver_names' order.
  std::vector<PluginServerConf> plugin_servers;
};

/// What Kong's reading depends on besides the file: the environment, which
/// overrides it (KONG_<KEY>), the current directory a relative prefix is
/// in, and which /usr/local/bin/<name> defaults exist.
struct KongConfContext {
  std::map<std::string, std::string> environment;
  std::string current_directory = "/";
  std::string default_server_directory = "/usr/local/bin";
  /// This process's environment and directory; the real /usr/local/bin.
  static KongConfContext of_this_process();
};

/// Reads kong.conf's text as Kong does: `key = value` lines (a trailing
/// backslash continues one; `#` and `;` lines are comments), keys with
/// characters other than letters and digits spelt with `_`, a value's
/// `#` comment stripped (`\#` keeps one), the last of a key winning, and
/// KONG_<KEY> in the environment over the file. Errors name `source` and,
/// where it is the file's fault, its line.
Result<KongConf> parse_kong_conf(std::string_view text, std::string_view source,
                                 const KongConfContext& context);

/// The file at `path`, read by parse_kong_conf.
Result<KongConf> load_kong_conf(
    const std::string& path, const KongConfContext& context = KongConfContext::of_this_process());

}  // namespace kong::mock
