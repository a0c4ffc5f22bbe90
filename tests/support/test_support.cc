#include "support/test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

namespace kong::test {

std::string Source(const std::string& relative) {
  return std::string(kSourceDir) + "/" + relative;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error))
    files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

ScratchDir::ScratchDir() {
  char tmpl[] = "/tmp/kong-test-XXXXXX";
  const char* made = ::mkdtemp(tmpl);
  if (made == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int ConnectUnix(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path))
    return -1;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

::testing::AssertionResult WaitForSocket(const std::string& path,
                                         std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = ConnectUnix(path);
    if (fd >= 0) {
      ::close(fd);
      return ::testing::AssertionSuccess();
    }
    // Polling: a listening socket gives no event to wait on before it exists.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return ::testing::AssertionFailure()
         << "no server accepted connections on " << path << " within " << timeout.count() << " ms";
}

std::optional<ProcessStatus> ReadProcessStatus(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
  // the fields after it are found from the last ')'.
  const auto open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open)
    return std::nullopt;
  ProcessStatus status;
  status.name = stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 1));
  rest >> status.state >> status.parent;
  return status;
}

std::vector<int> ChildrenNamed(int parent, const std::string& name) {
  std::vector<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos)
      continue;
    const auto status = ReadProcessStatus(std::stoi(pid));
    if (status && status->parent == parent && status->name == name && status->state != 'Z')
      found.push_back(std::stoi(pid));
  }
  return found;
}

::testing::AssertionResult ProcessGone(int pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto status = ReadProcessStatus(pid);
    if (!status || status->state == 'Z')
      return ::testing::AssertionSuccess();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return ::testing::AssertionFailure()
         << "process " << pid << " still runs after " << timeout.count() << " ms";
}

CommandResult RunCommand(const std::string& command, std::chrono::milliseconds timeout) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    ::setpgid(0, 0);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  CommandResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n <= 0)
      break;
    result.out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  if (timed_out)
    ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = (!timed_out && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  if (timed_out)
    result.out += "\n[timed out after " + std::to_string(timeout.count()) + " ms]";
  return result;
}

}  // namespace kong::test
