#include "pdk/server/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "pdk/server/socket_client.h"

namespace kong::test {

ServerProcess::ServerProcess(const std::string& binary, const std::vector<std::string>& args,
                             std::string log_path)
    : log_path_(std::move(log_path)) {
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  if (pid_ > 0)
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (pidfd_ >= 0)
    ::close(pidfd_);
}

std::string ServerProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

::testing::AssertionResult ServerProcess::WaitForExit(int& status) {
  if (pid_ <= 0 || pidfd_ < 0)
    return ::testing::AssertionFailure() << "the server never started";
  pollfd p{pidfd_, POLLIN, 0};
  const int ready =
      ::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kServerTimeout).count()));
  if (ready <= 0) {
    return ::testing::AssertionFailure()
           << "server " << pid_ << " did not exit within " << kServerTimeout.count() << " s";
  }
  if (::waitpid(pid_, &status, 0) != pid_)
    return ::testing::AssertionFailure() << "waitpid: " << std::strerror(errno);
  reaped_ = true;
  return ::testing::AssertionSuccess();
}

void ServerTest::TearDown() {
  if (HasFailure() && server_)
    std::cerr << "server output:\n" << server_->log() << "\n";
}

void ServerTest::StartServer(const std::string& binary, const std::string& name,
                             std::vector<std::string> extra_args) {
  socket_path_ = dir_.file(name + ".socket");
  extra_args.insert(extra_args.begin(), {"-kong-prefix", dir_.path()});
  server_ = std::make_unique<ServerProcess>(binary, extra_args, dir_.file("server.log"));
  ASSERT_GT(server_->pid(), 0);
  ASSERT_TRUE(WaitForSocket(socket_path_, kServerTimeout));
}

}  // namespace kong::test
