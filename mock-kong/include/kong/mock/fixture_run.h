#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kong/mock/fixture.h"
#include "kong/mock/kong_conf.h"
#include "kong/mock/lifecycle.h"
#include "kong/mock/session.h"
#include "kong/result.h"

namespace kong::mock {

/// A fixture ready to play over its plugins' sockets: the cases selected,
/// the plugin servers started and each plugin configured.
struct FixtureRun {
  Fixture fixture;
  /// Into `fixture.cases`, in fixture order.
  std::vector<const Case*> cases;
  /// Every plugin server started: kong.conf's, each of them (as Kong starts
  /// them all, whether a case runs its plugin or not), or the one given.
  std::vector<std::unique_ptr<PluginSession>> sessions;
  /// The plugins every case runs, each on its session and configured with
  /// its configuration: the fixture's `plugins`, or its one plugin.
  std::vector<ChainPlugin> chain;
  /// The first plugin's session: the one of a fixture with one plugin.
  PluginSession* session = nullptr;
};

/// What every mode that plays a fixture does first. `patterns` select cases
/// by name or glob (all when empty). With `kong_conf`, its plugin servers
/// are started as Kong starts them, in its prefix, and the fixture's plugins
/// are found among them by name (kong.conf's `plugins` must list each);
/// else `server` is the one. Errors say what could not be read, matched,
/// started or configured.
Result<std::unique_ptr<FixtureRun>> open_fixture_run(const std::string& fixture_file,
                                                     const std::vector<std::string>& patterns,
                                                     const ServerCommand& server,
                                                     const SessionOptions& options,
                                                     const KongConf* kong_conf = nullptr);

/// Starts again each server of `run` that ended, as Kong's process
/// management does; says so on stderr. For the servers no case drives,
/// whose end no case would notice.
void respawn_ended_servers(FixtureRun& run);

}  // namespace kong::mock
