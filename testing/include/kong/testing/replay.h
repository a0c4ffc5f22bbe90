#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "kong/mock/case_runner.h"
#include "kong/mock/plugin_info.h"
#include "kong/mock/session.h"

namespace kong::testing {

/// A fixture replayed over the plugin's socket.
struct ReplayResult {
  /// Why the replay could not run (bad fixture, bad config, a server that
  /// does not start); empty when it ran.
  std::string error;
  /// The plugin as its query command presented it.
  mock::PluginInfo plugin;
  /// Every selected case, in fixture order.
  std::vector<mock::CaseResult> cases;

  bool ran() const { return error.empty(); }
  /// It ran and every case passed.
  bool passed() const;
};

struct ReplayOptions {
  /// Case names or globs; every case when empty.
  std::vector<std::string> cases;
  mock::SessionOptions session;
};

/// Replays `fixture_file` against a plugin server of any language, started
/// as Kong starts it, exactly as `mock-kong --replay` does:
/// `server.plugin` for a Go-convention command (PLUGIN -dump,
/// PLUGIN -kong-prefix DIR), or Kong's query_cmd, start_cmd and socket.
ReplayResult replay(const std::string& fixture_file, const mock::ServerCommand& server,
                    const ReplayOptions& options = {});
/// The same for a Go-convention command: {"./my-plugin", "-some-flag"}.
ReplayResult replay(const std::string& fixture_file, std::vector<std::string> plugin_command,
                    const ReplayOptions& options = {});

}  // namespace kong::testing
