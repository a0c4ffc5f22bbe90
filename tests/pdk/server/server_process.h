#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace kong::test {

/// The plugin executable the server tests drive (test_plugin.cc), and the
/// name it serves under: its file name.
inline constexpr const char* kTestPluginBin = KONG_TEST_PLUGIN_BIN;
inline constexpr const char* kTestPluginName = "pdk_test_plugin";

/// A plugin server process, its stdout and stderr in a log file; killed and
/// reaped on destruction if still running.
class ServerProcess {
 public:
  ServerProcess(const std::string& binary, const std::vector<std::string>& args,
                std::string log_path);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Everything the server has written so far.
  std::string log() const;

  /// Waits for the process to end; `status` as waitpid reports it.
  ::testing::AssertionResult WaitForExit(int& status);

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  bool reaped_ = false;
};

/// Runs a plugin server in a fresh directory, its Kong prefix, and shows
/// the server's output when a test fails.
class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override;

  /// Starts `binary` with -kong-prefix <scratch dir> and `extra_args`, and
  /// waits for its socket.
  void StartServer(const std::string& binary = kTestPluginBin,
                   const std::string& name = kTestPluginName,
                   std::vector<std::string> extra_args = {});

  ScratchDir dir_;
  std::string socket_path_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace kong::test
