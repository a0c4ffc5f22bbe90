#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kong/mock/fixture.h"
#include "kong/mock/session.h"
#include "kong/result.h"

namespace kong::mock {

/// A fixture ready to play over a plugin's socket: the cases selected, the
/// plugin server started and configured with the fixture's config.
struct FixtureRun {
  Fixture fixture;
  /// Into `fixture.cases`, in fixture order.
  std::vector<const Case*> cases;
  std::unique_ptr<PluginSession> session;
};

/// What every mode that plays a fixture does first. `patterns` select cases
/// by name or glob (all when empty). Errors say what could not be read,
/// matched, started or configured.
Result<std::unique_ptr<FixtureRun>> open_fixture_run(const std::string& fixture_file,
                                                     const std::vector<std::string>& patterns,
                                                     const ServerCommand& server,
                                                     const SessionOptions& options);

}  // namespace kong::mock
