#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kong::test {

inline constexpr const char* kSourceDir = KONG_SOURCE_DIR;
inline constexpr const char* kHelloBin = KONG_HELLO_BIN;
inline constexpr const char* kMockKongBin = KONG_MOCK_KONG_BIN;
inline constexpr const char* kPlantedBugsBin = KONG_PLANTED_BUGS_BIN;
inline constexpr const char* kPlantedBugsGuidedBin = KONG_PLANTED_BUGS_GUIDED_BIN;
inline constexpr const char* kNoPhaseBin = KONG_NO_PHASE_BIN;
inline constexpr const char* kCpuBurnerBin = KONG_CPU_BURNER_BIN;
/// Kong's JavaScript plugin server, from npm (scripts/test installs it).
inline constexpr const char* kJsServer = KONG_JS_SERVER;
/// How many times slower than a normal build this one runs plugins (10
/// under the sanitizers). A timeout a test gives mock-kong to call a plugin
/// hung is scaled by it: on a busy machine, a sanitized handler can take
/// longer than a normal build's bound without hanging.
inline constexpr int kSlowdown = KONG_TEST_SLOWDOWN;

/// kSourceDir + "/" + relative
std::string Source(const std::string& relative);
/// Writes `text` to `path`, replacing it.
void WriteFile(const std::string& path, const std::string& text);
/// The whole of `path`; empty when it cannot be read.
std::string ReadFile(const std::string& path);

/// A fresh directory under /tmp, removed with its contents on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  /// path() + "/" + name
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// The names of the files in `dir`, sorted; none when it does not exist.
std::vector<std::string> FilesIn(const std::string& dir);

/// Waits until a unix socket at `path` accepts a connection.
::testing::AssertionResult WaitForSocket(
    const std::string& path, std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A process as /proc/<pid>/stat shows it: its name (comm), its state
/// letter ('Z' for a zombie) and its parent.
struct ProcessStatus {
  std::string name;
  char state = 0;
  int parent = 0;
};
/// None once the process is gone.
std::optional<ProcessStatus> ReadProcessStatus(int pid);

/// The running children of `parent` whose name (comm) is `name`.
std::vector<int> ChildrenNamed(int parent, const std::string& name);

/// Waits until process `pid` is gone or a zombie: either way it no longer
/// runs (a process orphaned by a command is reaped by init, maybe later).
::testing::AssertionResult ProcessGone(int pid,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// Connects to a unix socket; -1 on failure.
int ConnectUnix(const std::string& path);

/// Result of running a command to completion.
struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;     // stdout and stderr, interleaved
};

/// Runs `command` through /bin/sh with stdout and stderr captured; kills it
/// after `timeout`.
CommandResult RunCommand(const std::string& command,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace kong::test
