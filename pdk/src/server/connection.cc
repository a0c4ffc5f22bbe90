#include "server/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace kong::server {

Connection::Connection(int fd, EventLoop& loop) : fd_(fd), loop_(loop) {
  loop_.add(fd_, EPOLLIN, this, Handling::one_thread);
}

Connection::~Connection() {
  close();
}

Connection::Held::Held(Connection& connection) : connection_(connection), fd_(connection.fd_) {
  if (fd_ >= 0)
    generation_ = connection_.loop_.hold(fd_);
}

Connection::Held::~Held() {
  if (fd_ >= 0)
    connection_.loop_.release(fd_, generation_);
}

void Connection::on_ready(std::uint32_t events) {
  if (closed())
    return;  // closed earlier in this batch
  if (events & EPOLLOUT)
    flush();
  if (closed())
    return;
  if (paused_) {
    // Not watching input, yet told of a hang-up: no answer can reach the
    // peer any more, and the loop would report it again at once.
    if (events & (EPOLLHUP | EPOLLERR))
      close();
    return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
    read();
}

void Connection::pause_input() {
  if (paused_ || closed())
    return;
  paused_ = true;
  watch();
}

void Connection::resume_input() {
  if (!paused_ || closed())
    return;
  paused_ = false;
  watch();
}

void Connection::watch() {
  loop_.modify(fd_, (paused_ ? 0u : std::uint32_t{EPOLLIN}) | (want_write_ ? EPOLLOUT : 0u), this);
}

void Connection::read() {
  // One read per wake-up: the loop is level-triggered, so whatever is left
  // comes back in the next batch without a read that fails with EAGAIN.
  auto space = receive_space();
  const ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
  if (n == 0) {  // Kong closed it; a message cut short is dropped with it
    close();
    return;
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR)
      return;
    // A reset is a close with our last answer unread (Kong dropped a pooled
    // connection): nothing to report.
    if (errno != ECONNRESET)
      std::fprintf(stderr, "connection: read failed: %s\n", std::strerror(errno));
    close();
    return;
  }
  // Bytes after a refusal are not looked at: the stream is given up.
  if (!closing_)
    received(static_cast<std::size_t>(n));
  flush();
}

void Connection::flush() {
  while (out_sent_ < out_.size()) {
    const ssize_t n = ::send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN)
        break;
      close();  // Kong went away
      return;
    }
    out_sent_ += static_cast<std::size_t>(n);
  }
  const bool pending = out_sent_ < out_.size();
  if (!pending) {
    out_.clear();
    out_sent_ = 0;
    if (closing_) {
      close();
      return;
    }
  }
  if (pending != want_write_) {
    want_write_ = pending;
    watch();
  }
}

void Connection::close() {
  if (fd_ < 0)
    return;
  loop_.remove(fd_);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace kong::server
