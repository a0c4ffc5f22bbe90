#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "kong/result.h"

namespace kong::mock {

/// A running plugin server, started as Kong starts one: `exec <start_cmd>`
/// through /bin/sh, in a process group of its own, stdout and stderr joined
/// and relayed line by line with the prefix "[<name>:<pid>] ".
class PluginProcess {
 public:
  using LineSink = std::function<void(const std::string& line)>;

  struct Options {
    std::string start_cmd;
    std::string name;         // for the relay prefix
    std::string socket_path;  // waited for
    std::chrono::milliseconds start_timeout{10000};
    /// Extra environment, e.g. KONG_PREFIX=<the private prefix>.
    std::vector<std::pair<std::string, std::string>> env;
    /// Where relayed lines go, each with its prefix and without the newline;
    /// stderr when empty. Called on the relay thread.
    LineSink sink;
  };

  /// Starts the server and waits until its socket accepts connections. If the
  /// process exits first, or the timeout passes, the error says so (with the
  /// exit status or signal) and ends with the last lines it printed.
  static Result<std::unique_ptr<PluginProcess>> start(Options options);

  /// Stops it: SIGTERM to its process group, SIGKILL after `grace` (and to
  /// whatever of the group is left once the server has exited). Idempotent,
  /// and safe to call from another thread, e.g. an on_interrupt cleanup.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  ~PluginProcess();

  pid_t pid() const { return pid_; }
  /// The connection start() made to see the server listen, for the client
  /// to use as its first (the caller owns it); -1 once taken.
  int take_ready_connection();
  /// True while the process has not exited.
  bool running();
  /// How the process ended ("was killed by signal 11 (SIGSEGV)"), once it
  /// has, waiting at most `wait` for that; nullopt while it runs. Does not
  /// reap it: stop() still does.
  std::optional<std::string> ended(std::chrono::milliseconds wait);
  /// Its exit status once stopped, when it exited rather than was killed.
  std::optional<int> exit_code() const;
  /// The signal that killed it, once stopped, when one did.
  std::optional<int> killed_by() const;
  /// The last lines the process printed (at most 20), joined with newlines.
  std::string output_tail() const;
  /// Waits, at most `timeout`, until all the process has printed so far
  /// went to the sink: so that a report puts each line with the case it was
  /// printed in.
  void wait_relayed(std::chrono::milliseconds timeout = std::chrono::milliseconds(50)) const;

 private:
  PluginProcess() = default;
  void relay();

  Options options_;
  pid_t pid_ = -1;
  int output_fd_ = -1;
  int ready_connection_ = -1;
  bool exited_ = false;
  int wait_status_ = 0;
  // Set once the server is reaped, so the relay stops waiting for output
  // that a process which left the group might keep trickling in.
  std::atomic<bool> reaped_{false};
  // Set while the relay reads and emits a chunk, for wait_relayed().
  std::atomic<bool> relaying_{false};
  std::mutex stop_mutex_;  // stop() may come from an interrupt thread
  std::thread relay_thread_;
  mutable std::mutex tail_mutex_;
  std::deque<std::string> tail_;
};

}  // namespace kong::mock
