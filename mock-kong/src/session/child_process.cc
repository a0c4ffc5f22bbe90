#include "session/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "kong/mock/interrupt.h"

#include "session/group_reaper.h"

namespace kong::mock {
namespace {

// Every child started and not yet released, so an interrupt can kill one
// whose starter has not even returned yet.
struct LiveChildren {
  std::mutex mutex;
  std::set<pid_t> pids;
};

LiveChildren& live_children() {
  static LiveChildren live;
  return live;
}

// The parent's environment with `extra` set on top (replacing same names).
std::vector<std::string> child_environment(const ExtraEnv& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry = *e;
    const std::string_view name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [key, value] : extra)
      replaced = replaced || key == name;
    if (!replaced)
      env.emplace_back(entry);
  }
  for (const auto& [key, value] : extra)
    env.push_back(key + "=" + value);
  return env;
}

}  // namespace

Result<pid_t> spawn_shell(const std::string& script, int out_fd, int err_fd,
                          const ExtraEnv& extra_env) {
  // Between fork and exec a threaded process may only make async-signal-safe
  // calls, so everything the child needs is built here.
  std::vector<std::string> env = child_environment(extra_env);
  std::vector<char*> envp;
  for (std::string& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* argv[] = {"sh", "-c", script.c_str(), nullptr};
  const int reaper = reaper_socket();
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigset_t no_signals;
  sigemptyset(&no_signals);

  // Registered under the same lock as the fork, which an interrupt takes
  // after raising its flag: a child either is seen by kill_all_children()
  // or is never started.
  LiveChildren& live = live_children();
  std::lock_guard lock(live.mutex);
  if (const int signal = interrupted(); signal != 0)
    return Error{
        fmt::format("not started: mock-kong was interrupted by SIG{}", ::sigabbrev_np(signal))};
  const pid_t pid = ::fork();
  if (pid < 0)
    return Error{fmt::format("fork: {}", std::strerror(errno))};
  if (pid == 0) {
    ::setpgid(0, 0);
    reaper_watch_self(reaper);
    // mock-kong blocks SIGINT and SIGTERM for its interrupt thread and may
    // ignore SIGPIPE; the child starts with the defaults, as under Kong.
    // Dispositions first, so no inherited handler runs once unblocked.
    // (posix_spawn would leave glibc's internal signals 32 and 33 ignored.)
    for (int sig = 1; sig < NSIG; ++sig)
      ::sigaction(sig, &default_action, nullptr);
    ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0)
      ::dup2(null_fd, 0);
    // Descriptors others in mock-kong opened without O_CLOEXEC stay ours.
    ::close_range(3, ~0U, 0);
    ::execve("/bin/sh", const_cast<char**>(argv), envp.data());
    ::_exit(127);
  }
  // Also here, so that the group exists as soon as fork() returns: a stop or
  // a timeout may signal it before the child has run at all.
  ::setpgid(pid, pid);
  live.pids.insert(pid);
  return pid;
}

void release_child(pid_t pid) {
  reaper_forget(pid);
  LiveChildren& live = live_children();
  std::lock_guard lock(live.mutex);
  live.pids.erase(pid);
}

bool reap_if_exited(pid_t pid, int& wait_status) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return errno != EINTR;  // ECHILD: reaped already
  if (info.si_pid == 0)
    return false;
  release_child(pid);
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  return true;
}

void kill_and_reap(pid_t pid, int& wait_status) {
  ::kill(-pid, SIGKILL);
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  release_child(pid);
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
}

void kill_all_children() {
  LiveChildren& live = live_children();
  std::lock_guard lock(live.mutex);
  for (pid_t pid : live.pids)
    ::kill(-pid, SIGKILL);
  // SIGKILL is delivered asynchronously: wait until each child is dead, so
  // none outlives mock-kong. Not reaped (WNOWAIT): its owner may still reap it.
  for (pid_t pid : live.pids) {
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 &&
           errno == EINTR) {
    }
    reaper_forget(pid);
  }
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    // 127 is the shell's "command not found", which Kong names so.
    return fmt::format("exited with status {}{}", code, code == 127 ? " (command not found)" : "");
  }
  if (WIFSIGNALED(status)) {
    const char* abbrev = ::sigabbrev_np(WTERMSIG(status));
    return fmt::format("was killed by signal {} (SIG{})", WTERMSIG(status), abbrev ? abbrev : "?");
  }
  return fmt::format("ended with wait status {}", status);
}

}  // namespace kong::mock
