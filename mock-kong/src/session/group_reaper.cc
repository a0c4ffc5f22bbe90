// The helper process behind "the plugin dies with mock-kong, even when
// mock-kong is SIGKILLed": PR_SET_PDEATHSIG would reach only the direct
// child, and fires when the thread that forked it ends, not the process.
#include "session/group_reaper.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <span>
#include <string>

namespace kong::mock {
namespace {

// A record: its kind, the length of its payload, the payload (a group id or
// a path). Each is one message of a SOCK_SEQPACKET socket pair, which keeps
// it in one piece when children and threads write at once, and which, unlike
// a pipe, can be written with MSG_NOSIGNAL: a reaper that died (killed by
// hand) costs its protection, not mock-kong's run through SIGPIPE.
enum Kind : std::uint32_t { kWatchGroup, kForgetGroup, kWatchDir, kForgetDir };
struct Header {
  std::uint32_t kind;
  std::uint32_t bytes;
};
constexpr std::size_t kMaxPathBytes = 1000;
constexpr std::size_t kMaxRecordBytes = sizeof(Header) + kMaxPathBytes + 1;

// What one reaper can watch at once; mock-kong runs a few of each.
constexpr int kMaxGroups = 4096;
constexpr int kMaxDirs = 64;
constexpr long kTermGraceNs = 200'000'000;

// The reaper's state. In the reaper (a copy of mock-kong forked with its
// threads gone) only async-signal-safe calls run, so no allocation: fixed
// tables, in static storage to spare its stack.
struct Watched {
  pid_t groups[kMaxGroups];
  int group_count = 0;
  char dirs[kMaxDirs][kMaxPathBytes + 1];
  int dir_count = 0;
};
Watched g_watched;
char g_buffer[64 * kMaxRecordBytes];

void apply(const Header& h, const char* payload) {
  Watched& w = g_watched;
  if (h.kind == kWatchGroup || h.kind == kForgetGroup) {
    pid_t group;
    std::memcpy(&group, payload, sizeof group);
    if (h.kind == kWatchGroup) {
      if (w.group_count < kMaxGroups)
        w.groups[w.group_count++] = group;
      return;
    }
    for (int i = 0; i < w.group_count; ++i) {
      if (w.groups[i] == group) {
        w.groups[i] = w.groups[--w.group_count];
        return;
      }
    }
    return;
  }
  if (h.kind == kWatchDir) {
    if (w.dir_count < kMaxDirs) {
      std::memcpy(w.dirs[w.dir_count], payload, h.bytes);
      w.dirs[w.dir_count++][h.bytes] = '\0';
    }
    return;
  }
  for (int i = 0; i < w.dir_count; ++i) {
    if (std::strlen(w.dirs[i]) == h.bytes && std::memcmp(w.dirs[i], payload, h.bytes) == 0) {
      std::memcpy(w.dirs[i], w.dirs[--w.dir_count], sizeof w.dirs[i]);
      return;
    }
  }
}

[[noreturn]] void reap(int in) {
  std::size_t held = 0;
  for (;;) {
    const ssize_t n = ::read(in, g_buffer + held, sizeof g_buffer - held);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;  // every copy of mock-kong's end is closed: mock-kong is gone
    held += static_cast<std::size_t>(n);
    std::size_t at = 0;
    while (held - at >= sizeof(Header)) {
      Header h;
      std::memcpy(&h, g_buffer + at, sizeof h);
      if (h.bytes > kMaxPathBytes || held - at - sizeof h < h.bytes)
        break;
      apply(h, g_buffer + at + sizeof h);
      at += sizeof h + h.bytes;
    }
    std::memmove(g_buffer, g_buffer + at, held - at);
    held -= at;
  }
  Watched& w = g_watched;
  for (int i = 0; i < w.group_count; ++i)
    ::kill(-w.groups[i], SIGTERM);
  if (w.group_count > 0) {
    const timespec grace{0, kTermGraceNs};
    ::nanosleep(&grace, nullptr);
  }
  for (int i = 0; i < w.group_count; ++i)
    ::kill(-w.groups[i], SIGKILL);
  if (w.dir_count > 0) {
    // rm(1) in place of this process: removing a tree takes calls that are
    // not async-signal-safe (opendir), and exec starts a clean process.
    const char* argv[kMaxDirs + 4] = {"rm", "-rf", "--"};
    for (int i = 0; i < w.dir_count; ++i)
      argv[3 + i] = w.dirs[i];
    argv[3 + w.dir_count] = nullptr;
    const char* envp[] = {nullptr};
    ::execve("/bin/rm", const_cast<char**>(argv), const_cast<char**>(envp));
  }
  ::_exit(0);
}

struct Reaper {
  std::mutex mutex;
  int socket = -1;
};

Reaper& reaper() {
  static Reaper r;
  return r;
}

// The reaper's name in ps, pgrep and pkill: nothing that `pkill mock-kong`
// or `pkill -f mock-kong` would match, as a user stopping mock-kong by name
// would otherwise kill the reaper with it and leave the plugin running.
constexpr char kReaperName[] = "plugin-reaper";

// The process's argument strings (what /proc/self/cmdline shows), found
// from argv[0] (program_invocation_name) and checked against the kernel's
// copy; empty when they cannot be found for sure.
std::span<char> own_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string cmdline{std::istreambuf_iterator<char>(in), {}};
  char* start = program_invocation_name;
  if (start == nullptr || cmdline.empty() || std::strlen(start) + 1 > cmdline.size() ||
      std::memcmp(start, cmdline.data(), cmdline.size()) != 0)
    return {};
  return {start, cmdline.size()};
}

// In the forked reaper: its command line becomes kReaperName, written over
// its copy of mock-kong's argument strings (as setproctitle does).
void rename_reaper(std::span<char> arguments) {
  ::prctl(PR_SET_NAME, kReaperName);
  if (arguments.size() < sizeof kReaperName)
    return;
  std::memset(arguments.data(), 0, arguments.size());
  std::memcpy(arguments.data(), kReaperName, sizeof kReaperName);
}

void send(int fd, Kind kind, const void* payload, std::size_t bytes) {
  char record[kMaxRecordBytes];
  const Header h{kind, static_cast<std::uint32_t>(bytes)};
  std::memcpy(record, &h, sizeof h);
  std::memcpy(record + sizeof h, payload, bytes);
  while (::send(fd, record, sizeof h + bytes, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

void send_to_reaper(Kind kind, const void* payload, std::size_t bytes) {
  if (bytes > kMaxPathBytes)
    return;
  const int fd = reaper_socket();
  if (fd >= 0)
    send(fd, kind, payload, bytes);
}

}  // namespace

int reaper_socket() {
  Reaper& r = reaper();
  std::lock_guard lock(r.mutex);
  if (r.socket >= 0)
    return r.socket;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    return -1;
  const std::span<char> arguments = own_arguments();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    // Out of the terminal's reach (Ctrl-C, hang-up): it must outlive
    // mock-kong, and it holds none of mock-kong's descriptors, so that a
    // reader of mock-kong's output does not wait for it.
    ::setsid();
    rename_reaper(arguments);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT})
      ::signal(sig, SIG_IGN);
    const int in = ::fcntl(fds[0], F_DUPFD, 100);  // clear of what comes next
    const int null_fd = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd)
      ::dup2(null_fd, fd);
    ::dup2(in, 3);
    ::close_range(4, ~0U, 0);  // mock-kong's end above all: EOF must come
    reap(3);
  }
  ::close(fds[0]);
  r.socket = fds[1];
  return r.socket;
}

void reaper_watch_self(int socket_fd) {
  if (socket_fd < 0)
    return;
  const pid_t self = ::getpid();
  send(socket_fd, kWatchGroup, &self, sizeof self);
}

void reaper_forget(pid_t group) {
  send_to_reaper(kForgetGroup, &group, sizeof group);
}

void reaper_watch_dir(const std::string& path) {
  send_to_reaper(kWatchDir, path.data(), path.size());
}

void reaper_forget_dir(const std::string& path) {
  send_to_reaper(kForgetDir, path.data(), path.size());
}

}  // namespace kong::mock
