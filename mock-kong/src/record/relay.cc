#include "record/relay.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "client/socket_connection.h"

namespace kong::mock {
namespace {

// What one read takes: a whole hello event's message many times over.
constexpr std::size_t kReadBytes = 64 * 1024;

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

// One end of a relayed connection: its socket, and the bytes read from the
// other end that it has not taken yet.
struct Relay::Side {
  Pair* pair = nullptr;
  bool from_kong = false;
  int fd = -1;
  std::string pending;  // to write to fd
  bool read_closed = false;
  bool write_shut = false;
  Side* other = nullptr;
  std::uint32_t interest = EPOLLIN;  // what epoll watches for now
};

struct Relay::Pair {
  Side kong;
  Side server;
  std::unique_ptr<WireTap> tap;
  bool tap_told_closed = false;
  bool closed = false;
  // Kong's latest bytes went to the server, which has not answered yet.
  bool awaiting_server = false;

  // The tap hears of the end once, from the side that ended first.
  void ended(bool by_server) {
    if (!tap_told_closed)
      tap->closed(by_server);
    tap_told_closed = true;
  }
};

Result<std::unique_ptr<Relay>> Relay::listen(Options options) {
  std::unique_ptr<Relay> relay(new Relay());
  relay->options_ = std::move(options);
  const std::string& path = relay->options_.listen_path;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return Error{fmt::format("{}: a unix socket path holds at most {} bytes", path,
                             sizeof(addr.sun_path) - 1)};
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  relay->listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (relay->listen_fd_ < 0)
    return Error{fmt::format("{}: socket: {}", path, std::strerror(errno))};
  // A socket file left by an earlier server (as Kong's servers, we replace it).
  ::unlink(path.c_str());
  if (::bind(relay->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(relay->listen_fd_, 128) != 0)
    return Error{fmt::format("{}: cannot listen there: {}", path, std::strerror(errno))};
  relay->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (relay->epoll_fd_ < 0)
    return Error{fmt::format("epoll: {}", std::strerror(errno))};
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the listening socket
  ::epoll_ctl(relay->epoll_fd_, EPOLL_CTL_ADD, relay->listen_fd_, &ev);
  return relay;
}

Relay::~Relay() {
  for (auto& pair : pairs_)
    close_pair(*pair);
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    ::unlink(options_.listen_path.c_str());
  }
  if (epoll_fd_ >= 0)
    ::close(epoll_fd_);
}

// Reads wanted while the other side has taken everything (back-pressure:
// a slow reader slows its writer, as a direct connection would); writes
// wanted while bytes wait.
// Changed only when it must: most reads are passed on whole, and the
// interest stays EPOLLIN.
void Relay::watch(Side& side) {
  std::uint32_t interest = 0;
  if (!side.read_closed && side.other->pending.empty())
    interest |= EPOLLIN;
  if (!side.pending.empty())
    interest |= EPOLLOUT;
  if (interest == side.interest)
    return;
  side.interest = interest;
  epoll_event ev{};
  ev.events = interest;
  ev.data.ptr = &side;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, side.fd, &ev);
}

void Relay::accept_all() {
  for (;;) {
    const int kong_fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (kong_fd < 0)
      return;
    const int server_fd = connect_unix(options_.server_path);
    if (server_fd < 0) {
      // The server is gone: Kong sees its connection closed, as it would.
      ::close(kong_fd);
      continue;
    }
    set_nonblocking(server_fd);
    ++accepted_;
    auto pair = std::make_unique<Pair>();
    pair->tap = options_.make_tap();
    for (auto [side, fd, from_kong] :
         {std::tuple{&pair->kong, kong_fd, true}, std::tuple{&pair->server, server_fd, false}}) {
      side->pair = pair.get();
      side->fd = fd;
      side->from_kong = from_kong;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = side;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    }
    pair->kong.other = &pair->server;
    pair->server.other = &pair->kong;
    pairs_.push_back(std::move(pair));
  }
}

void Relay::flush(Side& to) {
  while (!to.pending.empty()) {
    const ssize_t n = ::send(to.fd, to.pending.data(), to.pending.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    if (n <= 0) {  // the reader is gone: so is the connection
      to.pending.clear();
      to.read_closed = to.other->read_closed = true;
      break;
    }
    to.pending.erase(0, static_cast<std::size_t>(n));
  }
  if (to.pending.empty() && to.other->read_closed && !to.write_shut) {
    ::shutdown(to.fd, SHUT_WR);
    to.write_shut = true;
  }
}

void Relay::pump(Side& from) {
  Side& to = *from.other;
  std::array<char, kReadBytes> buffer;
  const ssize_t n = ::recv(from.fd, buffer.data(), buffer.size(), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n <= 0) {
    from.read_closed = true;
    from.pair->ended(!from.from_kong);
    flush(to);
    return;
  }
  const std::string_view bytes(buffer.data(), static_cast<std::size_t>(n));
  // Kong's message goes to the server: its answer is awaited.
  if (from.from_kong != from.pair->awaiting_server) {
    from.pair->awaiting_server = from.from_kong;
    awaiting_server_ += from.from_kong ? 1 : -1;
  }
  // Passed on first, read after: the recording costs the traffic no wait.
  to.pending.append(bytes);
  flush(to);
  if (from.from_kong)
    from.pair->tap->from_kong(bytes);
  else
    from.pair->tap->from_server(bytes);
}

void Relay::close_pair(Pair& pair) {
  if (pair.closed)
    return;
  pair.closed = true;
  pair.ended(false);
  if (pair.awaiting_server)
    --awaiting_server_;
  for (Side* side : {&pair.kong, &pair.server}) {
    if (side->fd >= 0) {
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, side->fd, nullptr);
      ::close(side->fd);
      side->fd = -1;
    }
  }
}

// The server's answer usually follows the message just passed on within a
// few microseconds: waiting for it polling spares the relay a sleep and a
// wake-up per message, which on a virtual machine cost more than the
// message itself. That pays while one request awaits the server. Not while
// the relay awaits Kong: Kong needs a CPU to write its next message, and
// with the server polling on one of two, the relay's poll would take the
// other from it (C++ hello on 2 cores, one event in flight: polling for
// either side, 9,500 to 10,300 events/s; for the server only, 11,500 to
// 14,200). With several requests awaiting, the relay finds work at once.
int Relay::poll_briefly(epoll_event* events, int max) {
  if (awaiting_server_ != 1)
    return 0;
  const auto until = std::chrono::steady_clock::now() + kPollFor;
  do {
    const int n = ::epoll_wait(epoll_fd_, events, max, 0);
    if (n != 0)
      return n;
  } while (std::chrono::steady_clock::now() < until);
  return 0;
}

Status Relay::run() {
  std::array<epoll_event, 64> events;
  auto last_tick = std::chrono::steady_clock::now();
  for (;;) {
    int n = poll_briefly(events.data(), static_cast<int>(events.size()));
    if (n == 0)
      n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                       static_cast<int>(options_.tick_every.count()));
    if (n < 0 && errno != EINTR)
      return Error{fmt::format("epoll_wait: {}", std::strerror(errno))};
    touched_.clear();
    for (int i = 0; i < std::max(n, 0); ++i) {
      if (events[i].data.ptr == nullptr) {
        accept_all();
        continue;
      }
      Side& side = *static_cast<Side*>(events[i].data.ptr);
      if (side.pair->closed)
        continue;
      if (events[i].events & EPOLLOUT)
        flush(side);
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        pump(side);
      touched_.push_back(side.pair);
    }
    bool closed_some = false;
    for (Pair* pair : touched_) {
      if (pair->closed)
        continue;
      const bool done = pair->kong.read_closed && pair->server.read_closed &&
                        pair->kong.pending.empty() && pair->server.pending.empty();
      if (done) {
        close_pair(*pair);
        closed_some = true;
        continue;
      }
      watch(pair->kong);
      watch(pair->server);
    }
    if (closed_some)
      std::erase_if(pairs_, [](const auto& p) { return p->closed; });
    const auto now = std::chrono::steady_clock::now();
    if (n <= 0 || now - last_tick >= options_.tick_every) {
      last_tick = now;
      if (!options_.tick(n <= 0))
        return Ok{};
    }
  }
}

}  // namespace kong::mock
