#include "server/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

namespace kong::server {

using protocol::Array;
using protocol::Value;

Connection::Connection(int fd, EventLoop& loop, RpcDispatcher& dispatcher,
                       const protocol::MsgpackLimits& limits)
    : fd_(fd), loop_(loop), dispatcher_(dispatcher), in_(limits) {
  loop_.add(fd_, EPOLLIN, this);
}

Connection::~Connection() {
  close();
}

void Connection::announce_pid() {
  protocol::msgpack_encode(Value(Array{Value(2), Value("serverPid"), Value(::getpid())}), out_);
  flush();
}

void Connection::on_ready(std::uint32_t events) {
  if (closed())
    return;  // closed earlier in this batch
  if (events & EPOLLOUT)
    flush();
  if (!closed() && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
    read();
}

void Connection::read() {
  // One read per wake-up: the loop is level-triggered, so whatever is left
  // comes back in the next batch without a read that fails with EAGAIN.
  auto space = in_.prepare();
  const ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
  if (n == 0) {  // Kong closed it; a message cut short is dropped with it
    close();
    return;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) {
      std::fprintf(stderr, "connection: read failed: %s\n", std::strerror(errno));
      close();
    }
    return;
  }
  in_.commit(static_cast<std::size_t>(n));
  Value request;
  std::string error;
  for (bool open = !closing_; open;) {
    const std::size_t at = in_.offset();  // where this message starts, for errors
    const auto status = in_.next(request, error);
    if (status == protocol::MsgpackStream::Status::need_more)
      break;
    if (status == protocol::MsgpackStream::Status::error) {
      refuse(error);
      break;
    }
    open = handle(std::move(request), at);
  }
  flush();
}

bool Connection::handle(Value request, std::size_t at) {
  // [0, msgid, method, params] (protocol.md §3)
  const bool well_formed = request.is_array() && request.as_array().size() == 4 &&
                           request.as_array()[0] == Value(0) && request.as_array()[2].is_text();
  if (!well_formed) {
    refuse(fmt::format("message at byte {}: expected a request [0, msgid, method, params], got {}",
                       at, protocol::to_debug_string(request)));
    return false;
  }
  auto& parts = request.as_array();
  if (!parts[3].is_array()) {
    answer(parts[1],
           fmt::format("{}: params must be an array, got {}", parts[2].text(),
                       protocol::type_name(parts[3])),
           Value{});
    return true;
  }
  Reply reply = dispatcher_.dispatch(parts[2].text(), std::move(parts[3].as_array()));
  answer(parts[1], reply.error, reply.result);
  return true;
}

void Connection::answer(const Value& msgid, const std::string& error, const Value& result) {
  // [1, msgid, error, result], written piece by piece to spare a copy of result.
  out_.push_back(static_cast<char>(0x94));
  protocol::msgpack_encode(Value(1), out_);
  protocol::msgpack_encode(msgid, out_);
  protocol::msgpack_encode(error.empty() ? Value{} : Value(error), out_);
  protocol::msgpack_encode(result, out_);
}

void Connection::refuse(const std::string& why) {
  // The stream cannot be resynchronized: say why, then close.
  std::fprintf(stderr, "connection: %s; closing it\n", why.c_str());
  answer(Value{}, why, Value{});
  closing_ = true;
}

void Connection::flush() {
  while (out_sent_ < out_.size()) {
    const ssize_t n = ::send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN)
        break;
      close();  // Kong went away; its events stay until they expire
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
    loop_.modify(fd_, pending ? EPOLLIN | EPOLLOUT : EPOLLIN, this);
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
