#pragma once

#include <string_view>
#include <vector>

#include "kong/result.h"

namespace kong::mock {

/// Reads --cpus: "all" (no pinning: an empty list), or CPU numbers and
/// ranges, "1", "0,2-3". The error names the part it cannot read.
Result<std::vector<int>> parse_cpus(std::string_view spec);

/// The CPUs this thread may run on, in order.
std::vector<int> allowed_cpus();

/// Pins the calling thread, and the threads and processes it starts from
/// now on (the plugin server among them), to `cpus`. On one CPU the server
/// and mock-kong take turns: no wake-up crosses cores, and a server that
/// busy-polls cannot spin while mock-kong works, so its CPU per event is
/// the plugin's own work, steady from run to run.
Status pin_to(const std::vector<int>& cpus);

}  // namespace kong::mock
