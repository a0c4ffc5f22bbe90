#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "kong/mock/transport.h"
#include "kong/result.h"

namespace kong::mock {

class FiberLoop;

/// A blocking, close-on-exec connection to the unix socket at `path`; -1
/// with errno set when nothing accepts there (ENAMETOOLONG: a path unix
/// sockets cannot hold).
int connect_unix(const std::string& path);

/// connect_unix() retried every `every` (a socket about to be listened on
/// gives no event to wait for) until it connects, until `until`, or until
/// `give_up` (checked after each try) says there is no point; -1 then.
int connect_unix_once_listening(const std::string& path,
                                std::chrono::steady_clock::time_point until,
                                std::chrono::milliseconds every,
                                const std::function<bool()>& give_up = {});

/// One connection to a plugin server's unix socket, as Kong's cosockets
/// make them: blocking reads and writes, each bounded by a deadline. The
/// one transport of both protocols' clients. In a FiberLoop's fiber
/// (--bench), a wait suspends the fiber instead of the thread, as a cosocket
/// yields its request's coroutine.
///
/// A wait costs one system call, not poll + recv: the socket's own receive
/// and send timeouts bound it, re-armed only when a deadline comes closer
/// than they would wait (by more than an eighth), and a read that returns
/// bytes still checks the deadline, so a server that trickles bytes cannot
/// hold it past its deadline either.
class SocketConnection {
 public:
  /// Connects to `path`; `call_timeout` is the longest any wait will be.
  static Result<std::unique_ptr<SocketConnection>> open(const std::string& path,
                                                        std::chrono::milliseconds call_timeout);
  /// Takes over a connected socket (one the session made to see the server
  /// ready).
  static std::unique_ptr<SocketConnection> adopt(int fd, std::chrono::milliseconds call_timeout);
  ~SocketConnection();
  SocketConnection(const SocketConnection&) = delete;
  SocketConnection& operator=(const SocketConnection&) = delete;

  /// Writes all of `bytes`. The error says how much the server took.
  Status write(std::string_view bytes, const Deadline& deadline);

  /// Reads the next whole message of `in` (a protocol::MsgpackStream or
  /// FrameStream) into `out`, receiving as long as it needs more bytes.
  template <class Stream, class Message>
  Status read(Stream& in, Message& out, const Deadline& deadline) {
    for (;;) {
      std::string error;
      switch (in.next(out, error)) {
        case Stream::Status::need_more:
          break;
        case Stream::Status::error:
          fault_ = ConnectionFault::garbled;
          return Error{error};
        default:
          return Ok{};
      }
      auto got = receive(in.prepare(), deadline, in.buffered());
      if (!got)
        return got.error();
      in.commit(*got);
    }
  }

  /// Receives into `in` what has arrived (waiting for some), taking no
  /// message out: for a caller that reads a message where it lies.
  template <class Stream>
  Status receive_more(Stream& in, const Deadline& deadline) {
    auto got = receive(in.prepare(), deadline, in.buffered());
    if (!got)
      return got.error();
    in.commit(*got);
    return Ok{};
  }

  /// Why the connection stopped serving; none while it serves.
  ConnectionFault fault() const { return fault_; }
  bool usable() const { return fault_ == ConnectionFault::none; }

  /// The socket, for benchmarks that measure the floor with raw reads and
  /// writes; they time out after the call timeout.
  int native_handle() const { return fd_; }

 private:
  SocketConnection(int fd, std::chrono::milliseconds call_timeout);
  /// Receives some bytes into `space`; `partial` bytes of a message wait
  /// for more (for the message when the server closes).
  Result<std::size_t> receive(std::span<char> space, const Deadline& deadline, std::size_t partial);
  /// Bounds the next blocking recv or send by the time left until `at`.
  void arm(int option, std::chrono::nanoseconds& armed, Clock::time_point at);
  /// The loop whose fiber runs this code, with the socket watched by it;
  /// nullptr outside fibers (the thread blocks).
  FiberLoop* waits_in_loop();

  int fd_;
  std::chrono::milliseconds call_timeout_;
  std::chrono::nanoseconds armed_receive_;
  std::chrono::nanoseconds armed_send_;
  ConnectionFault fault_ = ConnectionFault::none;
  std::uint64_t watched_by_ = 0;  // the FiberLoop's id, once it watches the socket
  // The latest receive took all the socket held (it did not fill its space).
  bool drained_ = false;
};

}  // namespace kong::mock
