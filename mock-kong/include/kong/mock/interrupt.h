#pragma once

#include <functional>

namespace kong::mock {

/// Makes SIGINT, SIGTERM, SIGHUP and SIGPIPE (Ctrl-C, kill, a closed
/// terminal, a reader of the output that went away) stop mock-kong at once
/// and cleanly, instead of killing it mid-way: on a dedicated thread,
/// interrupted() turns true, `cleanup` runs, every plugin server and query
/// command still running is killed, "mock-kong: interrupted by SIGINT" goes
/// to stderr, and the process exits with 128 + the signal's number (130 for
/// SIGINT, 143 for SIGTERM). Call once, early in main(), before other
/// threads start.
void on_interrupt(std::function<void()> cleanup);

/// The signal that interrupted mock-kong; 0 while none has. A mode checks
/// it between cases: it runs and reports no case after a signal.
int interrupted();

/// Waits for the interrupt's thread to end the process: where a mode that
/// saw interrupted() would otherwise go on to its summary and exit status.
[[noreturn]] void await_interrupt_exit();

}  // namespace kong::mock
