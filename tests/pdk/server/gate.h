#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "pdk/server/socket_client.h"

namespace kong::test {

/// A FIFO that TestPlugin's "blocking" mode waits on in kong.blocking's
/// work: the test decides when the work is done, so what happens meanwhile
/// does not depend on timing.
class Gate {
 public:
  explicit Gate(std::string path) : path_(std::move(path)) {
    EXPECT_EQ(::mkfifo(path_.c_str(), 0600), 0) << path_;
  }
  /// A gate left shut lets its work go (at end of file), so that no server
  /// thread waits forever; nothing is written to a reader that may be gone.
  ~Gate() {
    if (writer_ < 0)
      writer_ = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (writer_ >= 0)
      ::close(writer_);
    ::unlink(path_.c_str());
  }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  const std::string& path() const { return path_; }

  /// Waits until the work is at the gate: it has opened its end.
  ::testing::AssertionResult AwaitWork() {
    const auto deadline = std::chrono::steady_clock::now() + kServerTimeout;
    while (writer_ < 0) {
      // Fails with ENXIO until the work opens its end.
      writer_ = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (writer_ >= 0)
        break;
      if (std::chrono::steady_clock::now() > deadline)
        return ::testing::AssertionFailure() << "nothing came to the gate " << path_;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return ::testing::AssertionSuccess();
  }

  /// Lets the waiting work go on: a byte for its reader.
  void Open() {
    if (!AwaitWork())
      return;
    EXPECT_EQ(::write(writer_, "x", 1), 1);
    ::close(writer_);
    writer_ = -1;
  }

 private:
  std::string path_;
  int writer_ = -1;
};

}  // namespace kong::test
