#pragma once

#include <cstdint>
#include <string>

#include "kong/protocol/msgpack_stream.h"

#include "server/connection.h"
#include "server/rpc_dispatcher.h"

namespace kong::server {

/// One MsgPack:1 connection from Kong (protocol.md §3): answers every
/// complete request that arrived, in order. Events outlive it: their Steps
/// may come on any connection. An answer that comes later (its handler
/// waits in kong.blocking) holds the requests after it.
class MsgpackConnection final : public Connection, private ReplyTo {
 public:
  /// Takes ownership of `fd` (non-blocking) and starts watching it.
  MsgpackConnection(int fd, EventLoop& loop, RpcDispatcher& dispatcher,
                    const protocol::MsgpackLimits& limits);
  ~MsgpackConnection() override;

  /// Announces the server's pid: Kong drops its instance ids when it changes.
  void announce_pid();

 private:
  std::span<char> receive_space() override { return in_.prepare(); }
  void received(std::size_t n) override;
  /// Answers the requests that arrived, until one's answer comes later.
  void answer_requests();
  /// Answers one request, which started at stream byte `at`; false when
  /// the stream cannot go on.
  bool handle(protocol::Value message, std::size_t at);
  void deliver(Reply reply) override;
  void answer(const protocol::Value& msgid, const std::string& error, protocol::Value result);
  void refuse(const std::string& why);

  RpcDispatcher& dispatcher_;
  protocol::MsgpackStream in_;
  protocol::Value owed_msgid_;  // of the request whose answer comes later
};

}  // namespace kong::server
