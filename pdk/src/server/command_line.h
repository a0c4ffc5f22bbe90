#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "kong/pdk/protocol.h"
#include "kong/result.h"

namespace kong::server {

/// The plugin executable's flags, spelled as the Go PDK's (-dump, -help,
/// -kong-prefix DIR), plus -max-message-bytes N, -protocol NAME and
/// -busy-poll-us N, -stall-ms N, -threads N, -offload-us N,
/// -blocking-threads N and -grace-ms N;
/// "--flag" and "-flag=value" work too.
struct CommandLine {
  bool dump = false;
  bool help = false;
  std::string kong_prefix = "/usr/local/kong";
  std::optional<std::size_t> max_message_bytes;
  /// Overrides ServerOptions::protocol when given.
  std::optional<Protocol> protocol;
  /// Overrides ServerOptions::busy_poll when given.
  std::optional<std::chrono::microseconds> busy_poll;
  /// Overrides ServerOptions::stall_report when given.
  std::optional<std::chrono::milliseconds> stall_report;
  /// Override ServerOptions::threads, offload_above and blocking_threads.
  std::optional<int> threads;
  std::optional<std::chrono::microseconds> offload_above;
  std::optional<std::size_t> blocking_threads;
  /// Overrides ServerOptions::shutdown_grace when given.
  std::optional<std::chrono::milliseconds> shutdown_grace;
};

Result<CommandLine> parse_command_line(int argc, char** argv);

/// The -help text.
std::string usage(std::string_view program);

}  // namespace kong::server
