#include "kong/mock/interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <thread>

#include "kong/mock/plugin_process.h"

namespace kong::mock {

void on_interrupt(std::function<void()> cleanup) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // Blocked here, and so in every thread started later, the signals wait for
  // sigwait() below instead of killing the process with the plugin server
  // still running and its prefix left behind. Children get the default mask
  // back (PluginProcess resets it).
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals, cleanup = std::move(cleanup)] {
    int received = 0;
    while (sigwait(&signals, &received) != 0) {
    }
    try {
      if (cleanup)
        cleanup();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mock-kong: cleanup after signal %d failed: %s\n", received, e.what());
    } catch (...) {
      std::fprintf(stderr, "mock-kong: cleanup after signal %d failed\n", received);
    }
    // A server still starting belongs to no one the cleanup could reach.
    kill_all_plugin_processes();
    ::_exit(130);
  }).detach();
}

}  // namespace kong::mock
