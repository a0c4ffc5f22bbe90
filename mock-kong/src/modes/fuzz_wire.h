#pragma once

#include <cstdio>

#include "modes/fuzz.h"

namespace kong::mock {

/// `mock-kong --fuzz-wire FIXTURE PLUGIN`: sends the plugin server
/// malformed frames and ill-typed calls (WireMutator), each on a connection
/// of its own. The server must answer in its protocol or close, and then
/// still serve the fixture's cases as it did before. A crash, a hang, an
/// answer that does not decode, and a case that no longer runs as before
/// are findings; each is written to `out_dir` as the bytes sent
/// (KIND-WHAT.bin). Returns 1 with findings, 0 without, 2 when it could
/// not run. Uses `options` as --fuzz does, but for its fuzz-only fields.
int fuzz_wire(const FuzzOptions& options, std::FILE* out = stdout);

}  // namespace kong::mock
