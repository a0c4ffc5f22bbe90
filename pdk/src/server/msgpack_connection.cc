#include "server/msgpack_connection.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace kong::server {

using protocol::Array;
using protocol::Value;

MsgpackConnection::MsgpackConnection(int fd, EventLoop& loop, RpcDispatcher& dispatcher,
                                     const protocol::MsgpackLimits& limits)
    : Connection(fd, loop), dispatcher_(dispatcher), in_(limits) {}

void MsgpackConnection::announce_pid() {
  protocol::msgpack_encode(Value(Array{Value(2), Value("serverPid"), Value(::getpid())}), out());
  flush();
}

void MsgpackConnection::received(std::size_t n) {
  in_.commit(n);
  Value request;
  std::string error;
  for (bool open = true; open;) {
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
}

bool MsgpackConnection::handle(Value request, std::size_t at) {
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

void MsgpackConnection::answer(const Value& msgid, const std::string& error, const Value& result) {
  // [1, msgid, error, result], written piece by piece to spare a copy of result.
  std::string& out = this->out();
  out.push_back(static_cast<char>(0x94));
  protocol::msgpack_encode(Value(1), out);
  protocol::msgpack_encode(msgid, out);
  protocol::msgpack_encode(error.empty() ? Value{} : Value(error), out);
  protocol::msgpack_encode(result, out);
}

void MsgpackConnection::refuse(const std::string& why) {
  // The stream cannot be resynchronized: say why, then close.
  std::fprintf(stderr, "connection: %s; closing it\n", why.c_str());
  answer(Value{}, why, Value{});
  close_after_write();
}

}  // namespace kong::server
