// The floor: a 64-byte message over a unix socket and back, with nothing
// else done on either side. A PDK call through the plugin server is one such
// round trip plus the server's and Kong's own work; see README.md.
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <thread>

#include <benchmark/benchmark.h>

namespace {

// About the size of a plugin.Step carrying a short string, or of its answer.
constexpr std::size_t kMessageBytes = 64;
using Message = std::array<char, kMessageBytes>;

bool read_all(int fd, char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::read(fd, data, size);
    if (n <= 0) {
      if (n < 0 && errno == EINTR)
        continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// The echoing side, blocking: one read and one write per round trip.
void echo_blocking(int fd) {
  Message m{};
  while (read_all(fd, m.data(), m.size()) && write_all(fd, m.data(), m.size())) {
  }
}

// The echoing side as an event loop would run it: epoll_wait, then a read and
// a write. The least a server built on epoll can do per request.
void echo_epoll(int fd) {
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event interest{};
  interest.events = EPOLLIN;
  interest.data.fd = fd;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &interest);
  Message m{};
  for (;;) {
    epoll_event ready{};
    if (::epoll_wait(ep, &ready, 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (!read_all(fd, m.data(), m.size()) || !write_all(fd, m.data(), m.size()))
      break;
  }
  ::close(ep);
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Sends kMessageBytes and waits for them to come back, once per iteration.
void ping_pong(benchmark::State& state, int fd) {
  Message m{};
  m.fill('x');
  for (auto _ : state) {
    if (!write_all(fd, m.data(), m.size()) || !read_all(fd, m.data(), m.size())) {
      state.SkipWithError("the echoing side went away");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Both ends in one process, the echo on a thread of its own.
template <void (*Echo)(int)>
void BM_UnixSocketRoundTripThreads(benchmark::State& state) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  std::atomic<double> echo_cpu{0};
  std::thread echo([&, fd = fds[1]] {
    Echo(fd);
    echo_cpu = thread_cpu_seconds();
  });
  ping_pong(state, fds[0]);
  ::shutdown(fds[0], SHUT_RDWR);  // ends the echo's read
  echo.join();
  ::close(fds[0]);
  ::close(fds[1]);
  // The counterpart of the plugin server's CPU per call in pdk_call_bench.
  state.counters["echo_cpu_us"] =
      benchmark::Counter(echo_cpu * 1e6, benchmark::Counter::kAvgIterations);
}

// The echo in a child process, as the plugin server is: switching between
// processes also switches address spaces.
void BM_UnixSocketRoundTripProcesses(benchmark::State& state) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    state.SkipWithError("fork failed");
    return;
  }
  if (child == 0) {
    ::close(fds[0]);
    echo_blocking(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  ping_pong(state, fds[0]);
  ::close(fds[0]);
  rusage usage{};
  ::wait4(child, nullptr, 0, &usage);
  const double echo_cpu =
      static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  state.counters["echo_cpu_us"] =
      benchmark::Counter(echo_cpu * 1e6, benchmark::Counter::kAvgIterations);
}

BENCHMARK_TEMPLATE(BM_UnixSocketRoundTripThreads, echo_blocking)
    ->Name("UnixSocketRoundTrip/threads");
BENCHMARK(BM_UnixSocketRoundTripProcesses)->Name("UnixSocketRoundTrip/processes");
BENCHMARK_TEMPLATE(BM_UnixSocketRoundTripThreads, echo_epoll)
    ->Name("UnixSocketRoundTrip/threads_epoll");

}  // namespace

BENCHMARK_MAIN();
