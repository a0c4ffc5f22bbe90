#include "kong/mock/interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <exception>
#include <thread>

#include <fmt/format.h>

#include "session/child_process.h"

namespace kong::mock {
namespace {

std::atomic<int> g_signal{0};
pthread_t g_interrupt_thread;

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
    sigaddset(&signals, sig);
  return signals;
}

// SIGPIPE is raised in the thread whose write found the pipe closed, and a
// signal raised for one thread is not one another thread's sigwait() can
// take: this handler passes it on to the interrupt thread, which blocks it.
// (pthread_kill is async-signal-safe.)
void forward_to_interrupt_thread(int sig) {
  ::pthread_kill(g_interrupt_thread, sig);
}

}  // namespace

void on_interrupt(std::function<void()> cleanup) {
  // Blocked here, and so in every thread started later, the signals wait for
  // sigwait() below instead of killing the process with the plugin server
  // still running and its prefix left behind. Children get the default mask
  // back (spawn_shell resets it). SIGPIPE stays deliverable to the thread
  // that writes, so that the write returns EPIPE and the handler passes it on.
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread thread([cleanup = std::move(cleanup), signals] {
    int received = 0;
    while (sigwait(&signals, &received) != 0) {
    }
    // First, so that no mode runs or reports a case after this and no
    // server is started any more.
    g_signal = received;
    try {
      if (cleanup)
        cleanup();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mock-kong: cleanup after SIG%s failed: %s\n", ::sigabbrev_np(received),
                   e.what());
    } catch (...) {
      std::fprintf(stderr, "mock-kong: cleanup after SIG%s failed\n", ::sigabbrev_np(received));
    }
    // A server still starting, or a query command, belongs to no one the
    // cleanup could reach.
    kill_all_children();
    const std::string line =
        fmt::format("mock-kong: interrupted by SIG{}\n", ::sigabbrev_np(received));
    (void)!::write(2, line.data(), line.size());
    ::_exit(128 + received);
  });
  g_interrupt_thread = thread.native_handle();
  thread.detach();
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_UNBLOCK, &pipe_signal, nullptr);

  struct sigaction forward {};
  forward.sa_handler = forward_to_interrupt_thread;
  sigemptyset(&forward.sa_mask);
  forward.sa_flags = SA_RESTART;
  ::sigaction(SIGPIPE, &forward, nullptr);
}

int interrupted() {
  return g_signal.load();
}

void await_interrupt_exit() {
  for (;;)
    ::pause();
}

}  // namespace kong::mock
