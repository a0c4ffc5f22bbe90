#pragma once

#include <memory>
#include <string>

#include <asio/local/stream_protocol.hpp>

#include "kong/protocol/msgpack_stream.h"
#include "server/rpc_dispatcher.h"

namespace kong::server {

/// One MsgPack:1 connection from Kong. Reads whatever has arrived, answers
/// every complete request in it, and writes all the answers at once.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::local::stream_protocol::socket socket, RpcDispatcher& dispatcher,
             const protocol::MsgpackLimits& limits);

  /// Announces the server's pid (Kong drops its instance ids when it
  /// changes) and starts reading.
  void start();

 private:
  void read();
  void on_read(const std::error_code& ec, std::size_t n);
  /// Answers one request, which started at stream byte `at`; false when the
  /// stream cannot go on.
  bool handle(protocol::Value request, std::size_t at);
  void answer(const protocol::Value& msgid, const std::string& error, protocol::Value result);
  void flush();
  void refuse(const std::string& why);

  asio::local::stream_protocol::socket socket_;
  RpcDispatcher& dispatcher_;
  protocol::MsgpackStream in_;
  std::string out_;      // answers not yet handed to the socket
  std::string writing_;  // answers being written
  bool closing_ = false;
};

}  // namespace kong::server
