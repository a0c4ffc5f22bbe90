#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kong/mock/session.h"

#include "modes/exit_status.h"

namespace kong::mock {

/// What `mock-kong --record` was asked to do.
struct RecordOptions {
  /// Where the recording goes (a fixture); one already there is continued.
  std::string out_file;
  /// Kong's prefix, where it looks for the server's socket: --kong-prefix,
  /// else $KONG_PREFIX, else Kong's default /usr/local/kong.
  std::optional<std::string> kong_prefix;
  /// The socket Kong connects to (its pluginserver_<name>_socket; relative
  /// to the prefix); default <prefix>/<server name>.socket, the server
  /// named after PLUGIN's file, or after its plugin with commands alone.
  std::optional<std::string> listen;
  /// The real server, as --replay takes one: PLUGIN [ARGS...], or query and
  /// start commands (which see a private prefix as $KONG_PREFIX) and its
  /// socket there.
  ServerCommand server;
  SessionOptions session;
  /// Headers whose values the recording hides (any case).
  std::vector<std::string> redact_headers;
};

/// Stands in front of the plugin server as Kong's start command, starts the
/// real one on a private socket, passes every message between the two, and
/// writes what passed as a fixture, case by case, as it passes. Runs until
/// SIGTERM (what Kong sends its servers), SIGINT, or the server's end;
/// then the recording holds every lifecycle seen, finished or not. Returns
/// the server's exit status when it ended on its own (so that Kong starts
/// both again), 2 when the recording could not start.
int record(const RecordOptions& options);

}  // namespace kong::mock
