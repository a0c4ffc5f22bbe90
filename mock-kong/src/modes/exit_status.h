#pragma once

#include <string>

namespace kong::mock {

/// Exit statuses of every mode.
inline constexpr int kAllPassed = 0;
inline constexpr int kSomeFailed = 1;
inline constexpr int kCannotRun = 2;

/// Prints "mock-kong: <why>" and gives kCannotRun; when a signal is the
/// reason the run stopped, waits for it to end the process instead.
int cannot_run(const std::string& why);

}  // namespace kong::mock
