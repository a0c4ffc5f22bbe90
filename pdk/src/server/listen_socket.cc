#include "server/listen_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace kong::server {

Result<int> open_listen_socket(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    return Error{fmt::format("socket path {} is {} bytes long; unix sockets allow {}", path,
                             path.size(), sizeof(addr.sun_path) - 1)};
  }
  const auto slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, std::max<std::size_t>(slash, 1));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error{fmt::format("kong prefix {} is not a directory", dir)};
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    return Error{fmt::format("kong prefix {} is not writable: {}", dir, std::strerror(errno))};
  }
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Error{fmt::format("{} exists and is not a socket; not replacing it", path)};
    }
    if (::unlink(path.c_str()) != 0) {
      return Error{fmt::format("removing stale socket {}: {}", path, std::strerror(errno))};
    }
  }
  // Non-blocking: the server accepts every waiting connection in one go.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return Error{fmt::format("socket(): {}", std::strerror(errno))};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, SOMAXCONN) != 0) {
    const int err = errno;
    ::close(fd);
    return Error{fmt::format("listening on {}: {}", path, std::strerror(err))};
  }
  return fd;
}

}  // namespace kong::server
