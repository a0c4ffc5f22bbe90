#pragma once

#include <functional>

namespace kong::mock {

/// Makes SIGINT and SIGTERM (Ctrl-C) run `cleanup` on a dedicated thread and
/// then exit the process with status 130, instead of killing it mid-way:
/// the plugin must be stopped and the private prefix removed on every path.
/// Call once, early in main(), before other threads start.
void on_interrupt(std::function<void()> cleanup);

}  // namespace kong::mock
