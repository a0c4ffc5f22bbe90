#include "modes/exit_status.h"

#include <cstdio>

#include "kong/mock/interrupt.h"

namespace kong::mock {

int cannot_run(const std::string& why) {
  // A signal that killed the server or its query is the reason, not this.
  if (interrupted())
    await_interrupt_exit();
  std::fprintf(stderr, "mock-kong: %s\n", why.c_str());
  return kCannotRun;
}

}  // namespace kong::mock
