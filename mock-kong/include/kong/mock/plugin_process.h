#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/result.h"

namespace kong::mock {

/// What a plugin server's query command told about its (first) plugin
/// (protocol.md §1).
struct PluginInfo {
  std::string name;
  std::string protocol = "MsgPack:1";  // "MsgPack:1" or "ProtoBuf:1"
  std::string socket_path;             // "" when the dump gave none
  std::vector<std::string> phases;
  std::string version;
  int priority = 0;
  nlohmann::json schema;  // the whole Kong entity schema
};

/// Parses query-command output: {"Protocol", "SocketPath", "Plugins": [INFO]}
/// or a bare [INFO] (then MsgPack:1). Only the first INFO counts, as in Kong.
/// Errors say which field is missing or of which wrong type.
Result<PluginInfo> parse_plugin_info(std::string_view json_text);

/// Runs `query_cmd` through /bin/sh (as Kong does) and parses its stdout.
/// A command that fails, times out or prints no valid JSON is an error that
/// names the command and shows its exit status and the tail of its output.
Result<PluginInfo> query_plugin(const std::string& query_cmd, std::chrono::milliseconds timeout);

/// A private directory, removed with everything in it on destruction.
class TempDir {
 public:
  /// Makes `<dir>/<prefix>-XXXXXX` (mode 0700), `<dir>` being $TMPDIR, or
  /// /tmp when that is unset or too long to leave room for socket paths.
  static Result<TempDir> create(const std::string& prefix = "mock-kong");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

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
  /// True while the process has not exited.
  bool running();
  /// The last lines the process printed (at most 20), joined with newlines.
  std::string output_tail() const;

 private:
  PluginProcess() = default;
  void relay();

  Options options_;
  pid_t pid_ = -1;
  int output_fd_ = -1;
  bool exited_ = false;
  int wait_status_ = 0;
  // Set once the server is reaped, so the relay stops waiting for output
  // that a process which left the group might keep trickling in.
  std::atomic<bool> reaped_{false};
  std::mutex stop_mutex_;  // stop() may come from an interrupt thread
  std::thread relay_thread_;
  mutable std::mutex tail_mutex_;
  std::deque<std::string> tail_;
};

/// Sends SIGKILL to the process group of every plugin server started and not
/// yet stopped, including one whose start() is still waiting for its socket,
/// and waits until each has died.
/// For the interrupt path, where nothing else holds those processes;
/// on_interrupt calls it after its cleanup.
void kill_all_plugin_processes();

/// Makes SIGINT and SIGTERM (Ctrl-C) run `cleanup` on a dedicated thread and
/// then exit the process with status 130, instead of killing it mid-way:
/// the plugin must be stopped and the private prefix removed on every path.
/// Call once, early in main(), before other threads start.
void on_interrupt(std::function<void()> cleanup);

}  // namespace kong::mock
