#include "server/connection.h"

#include <unistd.h>

#include <cstdio>

#include <asio/write.hpp>
#include <fmt/format.h>

namespace kong::server {

using protocol::Array;
using protocol::Value;

Connection::Connection(asio::local::stream_protocol::socket socket, RpcDispatcher& dispatcher,
                       const protocol::MsgpackLimits& limits)
    : socket_(std::move(socket)), dispatcher_(dispatcher), in_(limits) {}

void Connection::start() {
  protocol::msgpack_encode(Value(Array{Value(2), Value("serverPid"), Value(::getpid())}), out_);
  flush();
  read();
}

void Connection::read() {
  auto space = in_.prepare();
  socket_.async_read_some(asio::buffer(space.data(), space.size()),
                          [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void Connection::on_read(const std::error_code& ec, std::size_t n) {
  if (ec) {
    // A peer that closes mid-message loses only that message.
    if (ec != asio::error::eof && ec != asio::error::operation_aborted) {
      std::fprintf(stderr, "connection: read failed: %s\n", ec.message().c_str());
    }
    return;
  }
  in_.commit(n);
  Value request;
  std::string error;
  bool open = true;
  while (open) {
    const std::size_t at = in_.offset();  // where the next message starts, for errors
    const auto status = in_.next(request, error);
    if (status == protocol::MsgpackStream::Status::need_more) break;
    if (status == protocol::MsgpackStream::Status::error) {
      refuse(error);
      open = false;
      break;
    }
    open = handle(std::move(request), at);
  }
  flush();
  if (open) read();
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
    answer(parts[1], fmt::format("{}: params must be an array, got {}", parts[2].text(),
                                 protocol::type_name(parts[3])), Value{});
    return true;
  }
  Reply reply = dispatcher_.dispatch(parts[2].text(), parts[3].as_array());
  answer(parts[1], reply.error, std::move(reply.result));
  return true;
}

void Connection::answer(const Value& msgid, const std::string& error, Value result) {
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
  if (out_.empty() || !writing_.empty()) return;  // a write in flight flushes again when done
  writing_.swap(out_);
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](const std::error_code& ec, std::size_t) {
                      self->writing_.clear();
                      if (ec) return;
                      if (!self->out_.empty()) {
                        self->flush();
                      } else if (self->closing_) {
                        std::error_code ignored;
                        self->socket_.shutdown(asio::socket_base::shutdown_both, ignored);
                      }
                    });
}

}  // namespace kong::server
