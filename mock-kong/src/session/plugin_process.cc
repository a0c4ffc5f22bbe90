// Starting and stopping a plugin server the way Kong does (protocol.md §1).
#include "kong/mock/plugin_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "client/socket_connection.h"
#include "session/child_process.h"

extern char** environ;

namespace kong::mock {
namespace {

using Clock = std::chrono::steady_clock;

// A server printing megabytes without a newline still gets relayed in pieces.
constexpr std::size_t kMaxLineBytes = 64 << 10;
constexpr auto kPollInterval = std::chrono::milliseconds(5);
// How long the relay keeps reading after the server is reaped: only a process
// that left the group can still hold the pipe open by then.
constexpr auto kDrainAfterExit = std::chrono::milliseconds(500);

bool can_connect(const std::string& path) {
  const int fd = connect_unix(path);
  if (fd >= 0)
    ::close(fd);
  return fd >= 0;
}

// Whether the process has exited, without reaping it: a zombie keeps its pid,
// and so its process group id, from being reused until stop() kills the group.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno != EINTR;  // ECHILD: someone else reaped it
  }
  return info.si_pid != 0;
}

// Ends a start() error: the tail of what the server printed.
std::string last_output(const PluginProcess& process) {
  const std::string tail = process.output_tail();
  return tail.empty() ? "; it printed nothing" : "; its last output:\n" + tail;
}

// Ends a "did not listen" error: the sockets that appeared beside `socket`
// since `since`, where a server that names its socket otherwise listens.
std::string sockets_beside(const std::string& socket, std::filesystem::file_time_type since) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path expected(socket);
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(expected.parent_path(), ec)) {
    std::error_code entry_ec;
    if (entry.path() != expected && entry.is_socket(entry_ec) &&
        entry.last_write_time(entry_ec) >= since && !entry_ec)
      found.push_back(entry.path().string());
  }
  if (found.empty())
    return "";
  std::sort(found.begin(), found.end());
  return fmt::format("; it listens on {} instead (--socket names the socket to use)",
                     fmt::join(found, " and "));
}

// The server's name as Kong would print it when none is given: the
// executable's file name.
std::string default_name(const std::string& command) {
  const auto begin = command.find_first_not_of(" \t");
  if (begin == std::string::npos)
    return "plugin";
  const std::string word = command.substr(begin, command.find_first_of(" \t", begin) - begin);
  return word.substr(word.rfind('/') + 1);
}

}  // namespace

Result<std::unique_ptr<PluginProcess>> PluginProcess::start(Options options) {
  const std::string what = fmt::format("plugin server `{}`", options.start_cmd);
  if (options.start_cmd.find_first_not_of(" \t") == std::string::npos) {
    return Error{"plugin server: the start command is empty"};
  }
  const std::string socket = options.socket_path;
  if (socket.empty())
    return Error{what + ": no socket path to wait for"};
  if (socket.size() >= sizeof(sockaddr_un::sun_path)) {
    return Error{fmt::format("{}: socket path {} is {} bytes long; unix sockets allow {}", what,
                             socket, socket.size(), sizeof(sockaddr_un::sun_path) - 1)};
  }
  // Otherwise an old server still listening there would pass for this one.
  if (can_connect(socket)) {
    return Error{fmt::format("{}: something already accepts connections on {}", what, socket)};
  }
  if (options.name.empty())
    options.name = default_name(options.start_cmd);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Error{fmt::format("{}: pipe: {}", what, std::strerror(errno))};
  }
  std::unique_ptr<PluginProcess> process(new PluginProcess());
  // File times are coarse (a clock tick): a second's margin.
  const auto started_at = std::filesystem::file_time_type::clock::now() - std::chrono::seconds(1);
  Result<pid_t> pid = spawn_shell("exec " + options.start_cmd, fds[1], fds[1], options.env);
  ::close(fds[1]);
  if (!pid.ok()) {
    ::close(fds[0]);
    return Error{fmt::format("{}: {}", what, pid.error().message)};
  }
  process->pid_ = *pid;
  process->output_fd_ = fds[0];
  process->options_ = std::move(options);
  process->relay_thread_ = std::thread(&PluginProcess::relay, process.get());

  const auto timeout = process->options_.start_timeout;
  // The connection that shows the server ready is the client's first, so
  // that the server never sees a connection opened and dropped unused.
  const int ready = connect_unix_once_listening(socket, Clock::now() + timeout, kPollInterval,
                                                [&] { return !process->running(); });
  if (ready >= 0) {
    process->ready_connection_ = ready;
    return process;
  }
  if (!process->running()) {
    process->stop(std::chrono::milliseconds(0));
    return Error{fmt::format("{} {} before listening on {}{}", what,
                             describe_status(process->wait_status_), socket,
                             last_output(*process))};
  }
  // Looked for first: a server that stops removes its socket.
  const std::string elsewhere = sockets_beside(socket, started_at);
  process->stop();
  return Error{fmt::format("{} did not listen on {} within {} ms{}{}", what, socket,
                           timeout.count(), elsewhere, last_output(*process))};
}

void PluginProcess::stop(std::chrono::milliseconds grace) {
  std::lock_guard lock(stop_mutex_);
  if (pid_ > 0 && !reaped_) {
    if (!exited_ && !has_exited(pid_)) {
      // Kong's shutdown signal; the server gets `grace` to close its socket.
      ::kill(-pid_, SIGTERM);
      const auto deadline = Clock::now() + grace;
      while (!has_exited(pid_) && Clock::now() < deadline)
        std::this_thread::sleep_for(kPollInterval);
    }
    // The leader is a zombie at worst, so the group id is still ours: this
    // reaches a server that ignored SIGTERM and anything it left behind.
    kill_and_reap(pid_, wait_status_);
    exited_ = true;
    reaped_ = true;
  }
  if (relay_thread_.joinable())
    relay_thread_.join();
  if (output_fd_ >= 0) {
    ::close(output_fd_);
    output_fd_ = -1;
  }
}

PluginProcess::~PluginProcess() {
  stop();
  if (ready_connection_ >= 0)
    ::close(ready_connection_);
}

int PluginProcess::take_ready_connection() {
  return std::exchange(ready_connection_, -1);
}

bool PluginProcess::running() {
  std::lock_guard lock(stop_mutex_);
  if (pid_ <= 0 || exited_)
    return false;
  exited_ = has_exited(pid_);
  return !exited_;
}

std::optional<std::string> PluginProcess::ended(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  for (;;) {
    {
      std::lock_guard lock(stop_mutex_);
      if (pid_ <= 0)
        return std::nullopt;
      if (reaped_)
        return describe_status(wait_status_);
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid != 0) {
        exited_ = true;
        return describe_status(info.si_code == CLD_EXITED ? W_EXITCODE(info.si_status, 0)
                                                          : W_EXITCODE(0, info.si_status));
      }
    }
    if (Clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::optional<int> PluginProcess::exit_code() const {
  if (!reaped_ || !WIFEXITED(wait_status_))
    return std::nullopt;
  return WEXITSTATUS(wait_status_);
}

std::optional<int> PluginProcess::killed_by() const {
  if (!reaped_ || !WIFSIGNALED(wait_status_))
    return std::nullopt;
  return WTERMSIG(wait_status_);
}

std::string PluginProcess::output_tail() const {
  std::lock_guard lock(tail_mutex_);
  std::string out;
  for (const std::string& line : tail_) {
    if (!out.empty())
      out += '\n';
    out += line;
  }
  return out;
}

void PluginProcess::wait_relayed(std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int pending = 0;
    if (output_fd_ < 0 || reaped_ || ::ioctl(output_fd_, FIONREAD, &pending) != 0)
      return;
    if (pending == 0 && !relaying_)
      return;
    if (Clock::now() >= deadline)
      return;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

void PluginProcess::relay() {
  const std::string prefix = fmt::format("[{}:{}] ", options_.name, pid_);
  auto emit = [&](std::string line) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    std::string prefixed = prefix + line;
    {
      std::lock_guard lock(tail_mutex_);
      tail_.push_back(std::move(line));
      if (tail_.size() > kOutputTailLines)
        tail_.pop_front();
    }
    if (options_.sink) {
      try {
        options_.sink(prefixed);
        return;
      } catch (const std::exception& e) {
        prefixed += fmt::format(" (line sink failed: {})", e.what());
      } catch (...) {
        prefixed += " (line sink failed)";
      }
    }
    // One write per line, so lines from other threads do not interleave.
    prefixed += '\n';
    std::fwrite(prefixed.data(), 1, prefixed.size(), stderr);
  };

  std::string partial;
  std::optional<Clock::time_point> drain_deadline;
  char buf[4096];
  for (;;) {
    if (reaped_ && !drain_deadline)
      drain_deadline = Clock::now() + kDrainAfterExit;
    if (drain_deadline && Clock::now() >= *drain_deadline)
      break;
    pollfd p{output_fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR)
      break;
    if (ready <= 0)
      continue;
    relaying_ = true;
    const ssize_t n = ::read(output_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      relaying_ = false;
      continue;
    }
    if (n <= 0)
      break;
    partial.append(buf, static_cast<std::size_t>(n));
    std::size_t begin = 0;
    for (auto nl = partial.find('\n'); nl != std::string::npos; nl = partial.find('\n', begin)) {
      emit(partial.substr(begin, nl - begin));
      begin = nl + 1;
    }
    partial.erase(0, begin);
    while (partial.size() >= kMaxLineBytes) {
      emit(partial.substr(0, kMaxLineBytes));
      partial.erase(0, kMaxLineBytes);
    }
    relaying_ = false;
  }
  relaying_ = false;
  // A last line without its newline still counts, as in Kong's log.
  if (!partial.empty())
    emit(std::move(partial));
}

}  // namespace kong::mock
