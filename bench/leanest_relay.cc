// The least any relay between Kong and a plugin server can cost: one thread,
// epoll, and per message one recv and one send, nothing read or kept.
// bench/compare-recording runs the hello through it beside `mock-kong
// --record`: what a relay costs on the machine, apart from the recording.
//   leanest_relay LISTEN_PATH SERVER_SOCKET SERVER_COMMAND [ARGS...]
// starts the server (ended with the relay, on SIGTERM or SIGINT), waits for
// its socket, then listens at LISTEN_PATH.
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>

namespace {

pid_t server_pid = 0;

sockaddr_un address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  return addr;
}

int connect_to(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const sockaddr_un addr = address(path);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0)
    return fd;
  ::close(fd);
  return -1;
}

void end(int) {
  if (server_pid > 0)
    ::kill(server_pid, SIGTERM);
  ::_exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s LISTEN_PATH SERVER_SOCKET SERVER_COMMAND [ARGS...]\n", argv[0]);
    return 2;
  }
  const std::string listen_path = argv[1];
  const std::string server_socket = argv[2];
  ::signal(SIGTERM, end);
  ::signal(SIGINT, end);
  server_pid = ::fork();
  if (server_pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    ::execvp(argv[3], argv + 3);
    std::perror(argv[3]);
    ::_exit(127);
  }
  // Kong connects once the listening socket is there: the server first.
  for (int tries = 0;; ++tries) {
    if (const int probe = connect_to(server_socket); probe >= 0) {
      ::close(probe);
      break;
    }
    if (tries == 1000 || ::waitpid(server_pid, nullptr, WNOHANG) != 0) {
      std::fprintf(stderr, "%s: no server listens there\n", server_socket.c_str());
      end(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const sockaddr_un addr = address(listen_path);
  ::unlink(listen_path.c_str());
  if (::bind(listener, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener, 128) != 0) {
    std::fprintf(stderr, "%s: %s\n", listen_path.c_str(), std::strerror(errno));
    end(0);
  }
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  auto watch = [&](int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev);
  };
  watch(listener);
  std::unordered_map<int, int> other;  // each socket's partner
  std::array<epoll_event, 64> events;
  std::array<char, 64 * 1024> buffer;
  for (;;) {
    const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        for (int kong;
             (kong = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
          const int server = connect_to(server_socket);
          if (server < 0) {
            ::close(kong);
            continue;
          }
          other[kong] = server;
          other[server] = kong;
          watch(kong);
          watch(server);
        }
        continue;
      }
      const auto partner = other.find(fd);
      if (partner == other.end())
        continue;  // closed earlier in this batch
      const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
      if (got < 0 && errno == EAGAIN)
        continue;
      bool sent = got > 0;
      // Small messages: the partner's buffer takes them whole; a relay that
      // keeps pending bytes costs no more per message than this wait.
      for (ssize_t off = 0; sent && off < got;) {
        const ssize_t w = ::send(partner->second, buffer.data() + off,
                                 static_cast<std::size_t>(got - off), MSG_NOSIGNAL);
        if (w < 0 && errno == EAGAIN)
          continue;
        sent = w > 0;
        off += w;
      }
      if (!sent) {  // either end closed: so is the connection
        const int partner_fd = partner->second;
        other.erase(partner_fd);
        other.erase(fd);
        ::close(partner_fd);
        ::close(fd);
      }
    }
  }
}
