#include "server/stall_monitor.h"

#include <fmt/format.h>

namespace kong::server {

void StallMonitor::report(Phase phase, std::chrono::steady_clock::duration held) {
  const std::uint32_t bit = std::uint32_t{1} << static_cast<unsigned>(phase);
  if (reported_.fetch_or(bit) & bit)
    return;
  const std::string line = fmt::format(
      "{}: the {} handler held the server's thread for {:.1f} ms between two PDK calls (more "
      "than {} ms): every other request waited. Said once per handler; -stall-ms N sets the "
      "threshold, 0 turns this off.\n",
      plugin_name_, to_string(phase), std::chrono::duration<double, std::milli>(held).count(),
      threshold_.count());
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace kong::server
