#include "client/socket_connection.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "client/fiber_loop.h"

namespace kong::mock {
namespace {

// A message this large may be over a server's size limit (the C++ PDK's is
// 64 MiB by default); smaller ones hardly are.
constexpr std::size_t kLargeMessageBytes = 1 << 20;

timeval to_timeval(std::chrono::nanoseconds d) {
  // At least a microsecond: a zero timeout would block forever.
  const auto us =
      std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

}  // namespace

Deadline Deadline::for_call(std::chrono::milliseconds call_timeout) {
  // Said the same way for every call: formatted once per timeout.
  thread_local std::chrono::milliseconds said_for{-1};
  thread_local std::string said;
  if (said_for != call_timeout) {
    said = fmt::format("{} ms", call_timeout.count());
    said_for = call_timeout;
  }
  Deadline call{Clock::now() + call_timeout, said};
  const std::optional<Deadline>& case_deadline = current_case_deadline();
  if (case_deadline && case_deadline->at < call.at)
    return *case_deadline;
  return call;
}

int connect_unix(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int error = errno;
    if (fd >= 0)
      ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

int connect_unix_once_listening(const std::string& path,
                                std::chrono::steady_clock::time_point until,
                                std::chrono::milliseconds every,
                                const std::function<bool()>& give_up) {
  for (;;) {
    if (const int fd = connect_unix(path); fd >= 0)
      return fd;
    if ((give_up && give_up()) || std::chrono::steady_clock::now() >= until)
      return -1;
    std::this_thread::sleep_for(every);
  }
}

Result<std::unique_ptr<SocketConnection>> SocketConnection::open(
    const std::string& path, std::chrono::milliseconds call_timeout) {
  const int fd = connect_unix(path);
  if (fd < 0)
    return Error{fmt::format("cannot connect to {}: {}", path, std::strerror(errno))};
  return adopt(fd, call_timeout);
}

std::unique_ptr<SocketConnection> SocketConnection::adopt(int fd,
                                                          std::chrono::milliseconds call_timeout) {
  return std::unique_ptr<SocketConnection>(new SocketConnection(fd, call_timeout));
}

SocketConnection::SocketConnection(int fd, std::chrono::milliseconds call_timeout)
    : fd_(fd), call_timeout_(call_timeout), armed_receive_(0), armed_send_(0) {
  // Armed for a whole call timeout at once, which most waits then keep.
  const auto ready = Clock::now() + call_timeout;
  arm(SO_RCVTIMEO, armed_receive_, ready);
  arm(SO_SNDTIMEO, armed_send_, ready);
}

FiberLoop* SocketConnection::waits_in_loop() {
  FiberLoop* loop = FiberLoop::current();
  if (loop != nullptr && watched_by_ != loop->id()) {
    loop->watch(fd_);
    watched_by_ = loop->id();
  }
  return loop;
}

SocketConnection::~SocketConnection() {
  ::close(fd_);
}

void SocketConnection::arm(int option, std::chrono::nanoseconds& armed, Clock::time_point at) {
  const auto left = std::min<std::chrono::nanoseconds>(at - Clock::now(), call_timeout_);
  // Re-armed when the wait could overshoot by more than an eighth of what is
  // left, or is far shorter than needed (it would wake for nothing).
  if (armed.count() != 0 && armed - left <= left / 7 && armed * 2 >= left)
    return;
  const timeval tv = to_timeval(left);
  ::setsockopt(fd_, SOL_SOCKET, option, &tv, sizeof tv);
  armed = left;
}

Status SocketConnection::write(std::string_view bytes, const Deadline& deadline) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    if (Clock::now() >= deadline.at) {
      fault_ = ConnectionFault::timed_out;
      return Error{fmt::format("the plugin server took {} of the message's {} bytes within {}",
                               sent, bytes.size(), deadline.why)};
    }
    FiberLoop* const loop = waits_in_loop();
    if (loop == nullptr)
      arm(SO_SNDTIMEO, armed_send_, deadline.at);
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent,
                             MSG_NOSIGNAL | (loop != nullptr ? MSG_DONTWAIT : 0));
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (loop != nullptr && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      loop->wait(fd_, FiberLoop::Interest::writable, deadline.at);
      continue;
    }
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
      continue;  // the loop checks the deadline
    const int error = errno;
    fault_ =
        error == EPIPE || error == ECONNRESET ? ConnectionFault::closed : ConnectionFault::failed;
    if (fault_ == ConnectionFault::closed) {
      // Servers close without a word on a message over their size limit.
      const std::string size_note =
          bytes.size() < kLargeMessageBytes
              ? ""
              : fmt::format(
                    ": the message was {:.1f} MiB, likely over the server's size limit "
                    "for one message",
                    static_cast<double>(bytes.size()) / (1 << 20));
      return Error{fmt::format(
          "the plugin server closed the connection after taking {} of the message's {} bytes{}",
          sent, bytes.size(), size_note)};
    }
    return Error{fmt::format("writing to the plugin server: {}", std::strerror(error))};
  }
  return Ok{};
}

Result<std::size_t> SocketConnection::receive(std::span<char> space, const Deadline& deadline,
                                              std::size_t partial) {
  FiberLoop* const loop = waits_in_loop();
  // In a fiber, a socket that an earlier receive emptied is waited on
  // first: the answer cannot be there yet, and epoll will say when it is
  // (a new edge), which saves a receive that finds nothing.
  bool wait_first = loop != nullptr && drained_;
  for (;;) {
    if (wait_first) {
      loop->wait(fd_, FiberLoop::Interest::readable, deadline.at);
      wait_first = false;
    }
    if (Clock::now() >= deadline.at) {
      fault_ = ConnectionFault::timed_out;
      if (partial == 0)
        return Error{fmt::format("no answer within {}", deadline.why)};
      return Error{
          fmt::format("no whole answer within {}: {} bytes of it arrived", deadline.why, partial)};
    }
    if (loop == nullptr)
      arm(SO_RCVTIMEO, armed_receive_, deadline.at);
    const ssize_t n = ::recv(fd_, space.data(), space.size(), loop != nullptr ? MSG_DONTWAIT : 0);
    if (n > 0) {
      drained_ = static_cast<std::size_t>(n) < space.size();
      return static_cast<std::size_t>(n);
    }
    if (n < 0 && loop != nullptr && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_first = true;
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
      continue;  // the loop checks the deadline
    if (n == 0 || errno == ECONNRESET) {
      fault_ = ConnectionFault::closed;
      if (partial == 0)
        return Error{"the plugin server closed the connection"};
      return Error{fmt::format(
          "the plugin server closed the connection in the middle of a message, after {} of its "
          "bytes",
          partial)};
    }
    fault_ = ConnectionFault::failed;
    return Error{fmt::format("reading from the plugin server: {}", std::strerror(errno))};
  }
}

}  // namespace kong::mock
