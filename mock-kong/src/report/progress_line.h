#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

namespace kong::mock {

/// A long mode's live progress line (--fuzz, --bench): on a terminal only,
/// redrawn at most four times a second, in place.
class ProgressLine {
 public:
  /// `doing` names the work: "fuzzing".
  ProgressLine(bool on, std::string doing) : on_(on), doing_(std::move(doing)) {}
  /// Shows "mock-kong: <doing>: <text>", unless shown less than 250 ms ago.
  void show(const std::string& text) {
    if (!on_ || Clock::now() < next_)
      return;
    next_ = Clock::now() + std::chrono::milliseconds(250);
    std::fprintf(stderr, "\r\033[Kmock-kong: %s: %s", doing_.c_str(), text.c_str());
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
  std::string doing_;
  bool shown_ = false;
  Clock::time_point next_{};
};

}  // namespace kong::mock
