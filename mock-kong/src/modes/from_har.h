#pragma once

#include <cstdio>
#include <string>

#include "modes/exit_status.h"

namespace kong::mock {

/// What `mock-kong --from-har` was asked to do.
struct FromHarOptions {
  std::string har_file;
  /// The plugin configuration, as JSON text; {} when empty.
  std::string config;
  bool expect_upstream = false;
};

/// Writes the HAR capture's entries to `out` as a fixture; says on stderr
/// which entries it left out, and why. 0 when it wrote one, 2 when it could
/// not (no entry could be a case, the file is not HAR, --config is not JSON).
int from_har(const FromHarOptions& options, std::FILE* out = stdout);

}  // namespace kong::mock
