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
/// The child is live until release_child(): kill_all_children() reaches its
/// group, and so does the group reaper if mock-kong dies first. Refused once
/// a signal interrupted mock-kong.
Result<pid_t> spawn_shell(const std::string& script, int out_fd, int err_fd,
                          const ExtraEnv& extra_env = {});

/// The child is about to be reaped (it has exited, or is being killed and
/// waited for without reaping): it is no longer live. Call it before the
/// waitpid that reaps it, while its id cannot be reused.
void release_child(pid_t pid);

/// Reaps the child if it has exited, releasing it first; false while it runs.
bool reap_if_exited(pid_t pid, int& wait_status);

/// Kills the child's process group and reaps it.
void kill_and_reap(pid_t pid, int& wait_status);

/// Sends SIGKILL to the group of every live child (plugin servers, query
/// commands, including one still starting) and waits until each has died,
/// without reaping: for the interrupt path, where nothing else holds them.
void kill_all_children();

/// How a child ended, for messages: "exited with status 3",
/// "exited with status 127 (command not found)", "was killed by signal 9 (SIGKILL)".
std::string describe_status(int wait_status);

}  // namespace kong::mock
