#include "server/msgpack_connection.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "kong/protocol/rpc_message.h"

namespace kong::server {

using protocol::Array;
using protocol::Value;

MsgpackConnection::MsgpackConnection(int fd, EventLoop& loop, RpcDispatcher& dispatcher,
                                     const protocol::MsgpackLimits& limits)
    : Connection(fd, loop), dispatcher_(dispatcher), in_(limits) {}

MsgpackConnection::~MsgpackConnection() {
  if (input_paused())
    dispatcher_.forget(*this);
}

void MsgpackConnection::announce_pid() {
  protocol::rpc::encode(
      protocol::rpc::Notification{std::string(protocol::rpc::kServerPidLabel), Value(::getpid())},
      out());
  flush();
}

void MsgpackConnection::received(std::size_t n) {
  in_.commit(n);
  answer_requests();
}

void MsgpackConnection::answer_requests() {
  Value request;
  std::string error;
  for (bool open = true; open && !input_paused();) {
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

bool MsgpackConnection::handle(Value message, std::size_t at) {
  auto request = protocol::rpc::parse_request(std::move(message));
  if (!request) {
    refuse(fmt::format("message at byte {}: {}", at, request.error().message));
    return false;
  }
  if (!request->params.is_array()) {
    answer(request->msgid,
           fmt::format("{}: params must be an array, got {}", request->method,
                       protocol::type_name(request->params)),
           Value{});
    return true;
  }
  auto reply = dispatcher_.dispatch(request->method, std::move(request->params.as_array()), *this);
  if (!reply) {
    owed_msgid_ = std::move(request->msgid);
    pause_input();
    return true;
  }
  answer(request->msgid, reply->error, std::move(reply->result));
  return true;
}

void MsgpackConnection::deliver(Reply reply) {
  if (closed())
    return;  // Kong hung up meanwhile
  const Held held(*this);
  answer(owed_msgid_, reply.error, std::move(reply.result));
  resume_input();
  answer_requests();  // those that came meanwhile
  flush();
}

void MsgpackConnection::answer(const Value& msgid, const std::string& error, Value result) {
  protocol::rpc::encode(
      protocol::rpc::Response{msgid, error.empty() ? Value{} : Value(error), std::move(result)},
      out());
}

void MsgpackConnection::refuse(const std::string& why) {
  // The stream cannot be resynchronized: say why, then close.
  std::fprintf(stderr, "connection: %s; closing it\n", why.c_str());
  answer(Value{}, why, Value{});
  close_after_write();
}

}  // namespace kong::server
