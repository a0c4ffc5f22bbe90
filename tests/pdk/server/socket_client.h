#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace kong::test {

/// How long any socket test waits for the server.
inline constexpr auto kServerTimeout = std::chrono::seconds(10);

/// One connection to a plugin server under test, as Kong's cosockets make
/// them: bytes in, bytes out. Every wait lasts at most kServerTimeout and
/// says what it awaited when it fails.
class SocketClient {
 public:
  explicit SocketClient(const std::string& path);
  ~SocketClient();
  SocketClient(const SocketClient&) = delete;
  SocketClient& operator=(const SocketClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  ::testing::AssertionResult SendBytes(std::string_view bytes);

  /// Reads what has arrived into `into`: the byte count, 0 at EOF, -1 with
  /// `err` set otherwise (ETIMEDOUT when nothing came); `why` says what happened.
  ssize_t ReadSome(std::span<char> into, std::string& why, int& err);

  /// Reads what has arrived into `stream` (a MsgpackStream, a FrameStream:
  /// anything with prepare() and commit()); fails at EOF, on an error and
  /// after the timeout, naming what it awaited.
  template <class Stream>
  ::testing::AssertionResult ReadInto(Stream& stream, std::string_view awaited) {
    std::string why;
    int err = 0;
    const ssize_t n = ReadSome(stream.prepare(4096), why, err);
    if (n <= 0)
      return ::testing::AssertionFailure() << why << " awaiting " << awaited;
    stream.commit(static_cast<std::size_t>(n));
    return ::testing::AssertionSuccess();
  }

  /// Reads exactly `n` bytes into `out`.
  ::testing::AssertionResult ReadExactly(std::size_t n, std::string& out, std::string_view awaited);

  /// Waits for the server to close the connection (EOF, or a reset for bytes
  /// it left unread). Bytes that arrive first are appended to `stray`.
  ::testing::AssertionResult WaitForClose(std::string_view awaited, std::string& stray);

  /// Whether bytes (or the end) wait to be read now, without waiting.
  bool HasInput() const;

  /// Closes the sending side only.
  void ShutdownWrite();

 private:
  int fd_;
};

}  // namespace kong::test
