#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace kong::mock {

/// The fuzzers' live progress line: on a terminal only, redrawn at most
/// four times a second, in place.
class ProgressLine {
 public:
  explicit ProgressLine(bool on) : on_(on) {}
  /// Shows "mock-kong: fuzzing: <text>", unless shown less than 250 ms ago.
  void show(const std::string& text) {
    if (!on_ || Clock::now() < next_)
      return;
    next_ = Clock::now() + std::chrono::milliseconds(250);
    std::fprintf(stderr, "\r\033[Kmock-kong: fuzzing: %s", text.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  /// Takes the line away: before anything else is printed.
  void clear() {
    if (shown_)
      std::fputs("\r\033[K", stderr);
    shown_ = false;
    next_ = {};
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool on_;
  bool shown_ = false;
  Clock::time_point next_{};
};

}  // namespace kong::mock
