#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "kong/result.h"

namespace kong::mock {

/// How many of a plugin command's last output lines a report quotes.
constexpr std::size_t kOutputTailLines = 20;

/// Environment variables set for a child on top of ours.
using ExtraEnv = std::vector<std::pair<std::string, std::string>>;

/// Runs `/bin/sh -c <script>` as Kong runs its query and start commands: in
/// a process group of its own (so that stopping it stops all it started),
/// with default signal dispositions and an empty signal mask, stdin from
/// /dev/null, stdout into `out_fd` and stderr into `err_fd` (which may be the
/// same), and no other descriptor of ours.
Result<pid_t> spawn_shell(const std::string& script, int out_fd, int err_fd,
                          const ExtraEnv& extra_env = {});

/// How a child ended, for messages: "exited with status 3",
/// "exited with status 127 (command not found)", "was killed by signal 9 (SIGKILL)".
std::string describe_status(int wait_status);

}  // namespace kong::mock
