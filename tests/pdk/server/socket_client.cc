#include "pdk/server/socket_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/test_support.h"

namespace kong::test {

SocketClient::SocketClient(const std::string& path) : fd_(ConnectUnix(path)) {}

SocketClient::~SocketClient() {
  if (fd_ >= 0)
    ::close(fd_);
}

::testing::AssertionResult SocketClient::SendBytes(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0)
      return ::testing::AssertionFailure() << "send: " << std::strerror(errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return ::testing::AssertionSuccess();
}

ssize_t SocketClient::ReadSome(std::span<char> into, std::string& why, int& err) {
  pollfd p{fd_, POLLIN, 0};
  const int ready =
      ::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kServerTimeout).count()));
  if (ready <= 0) {
    err = ready == 0 ? ETIMEDOUT : errno;
    why = ready == 0 ? "nothing arrived within " + std::to_string(kServerTimeout.count()) + " s"
                     : std::string("poll: ") + std::strerror(err);
    return -1;
  }
  const ssize_t n = ::read(fd_, into.data(), into.size());
  err = n < 0 ? errno : 0;
  if (n == 0)
    why = "the server closed the connection";
  if (n < 0)
    why = std::string("read: ") + std::strerror(err);
  return n;
}

::testing::AssertionResult SocketClient::ReadExactly(std::size_t n, std::string& out,
                                                     std::string_view awaited) {
  out.assign(n, '\0');
  for (std::size_t got = 0; got < n;) {
    std::string why;
    int err = 0;
    const ssize_t r = ReadSome(std::span<char>(out).subspan(got), why, err);
    if (r <= 0) {
      return ::testing::AssertionFailure()
             << why << " awaiting " << awaited << " (" << got << " of " << n << " bytes came)";
    }
    got += static_cast<std::size_t>(r);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult SocketClient::WaitForClose(std::string_view awaited,
                                                      std::string& stray) {
  char buf[4096];
  for (;;) {
    std::string why;
    int err = 0;
    const ssize_t n = ReadSome(buf, why, err);
    if (n == 0 || (n < 0 && err == ECONNRESET))
      return ::testing::AssertionSuccess();
    if (n < 0)
      return ::testing::AssertionFailure() << why << " awaiting " << awaited;
    stray.append(buf, static_cast<std::size_t>(n));
  }
}

bool SocketClient::HasInput() const {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void SocketClient::ShutdownWrite() {
  ::shutdown(fd_, SHUT_WR);
}

}  // namespace kong::test
