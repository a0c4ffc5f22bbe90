#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kong/mock/plugin_process.h"
#include "kong/mock/temp_dir.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

#include "client/msgpack_client.h"

namespace kong::bench {

/// A plugin server run for a benchmark: `<executable> -kong-prefix <fresh
/// temp dir> [args]`, started and stopped as mock-kong does (PluginProcess).
/// Its output is kept, not printed, and quoted when it fails to start.
class PluginFixture {
 public:
  /// Starts the server (with `args` after `-kong-prefix <dir>`) and waits
  /// until its socket accepts connections. The error names the command and
  /// ends with the server's output.
  static Result<std::unique_ptr<PluginFixture>> start(const std::string& executable,
                                                      const std::vector<std::string>& args = {});

  /// Stops the server (SIGTERM, then SIGKILL) and removes the prefix.
  ~PluginFixture();
  PluginFixture(const PluginFixture&) = delete;
  PluginFixture& operator=(const PluginFixture&) = delete;

  /// The server itself: Kong's start command is exec'ed by the shell.
  pid_t pid() const { return process_->pid(); }
  /// Where Kong would connect: <prefix>/<executable name>.socket.
  const std::string& socket_path() const { return socket_path_; }
  /// The name Kong knows the plugin by (the executable's file name).
  const std::string& name() const { return name_; }

 private:
  PluginFixture(mock::TempDir prefix, std::string name);

  mock::TempDir prefix_;
  std::string name_;
  std::string socket_path_;
  std::unique_ptr<mock::PluginProcess> process_;
};

/// Kong's plugin.StartInstance for `plugin` with `config_json`; returns the
/// instance id. An error answer or a reply without "Id" is an Error.
Result<std::int64_t> start_instance(mock::MsgpackClient& kong, std::string_view plugin,
                                    std::string_view config_json);

/// Kong's plugin.Step params for `event_id` with `data` (left out when nil,
/// as Kong's MessagePack leaves a nil map value out, protocol.md §3).
protocol::Array step_params(std::int64_t event_id, protocol::Value data);

/// The "Data" of a plugin.HandleEvent or plugin.Step reply ({"EventId", "Data"}):
/// a PDK call map or "ret". Nil when the reply has no such field.
const protocol::Value& event_data(const protocol::Value& reply);

}  // namespace kong::bench
