#pragma once

#include <cstdint>
#include <string>

#include "kong/protocol/msgpack_stream.h"

#include "server/event_loop.h"
#include "server/rpc_dispatcher.h"

namespace kong::server {

/// One MsgPack:1 connection from Kong. Reads whatever has arrived, answers
/// every complete request in it, and writes all the answers with one write.
class Connection final : public Watcher {
 public:
  /// Takes ownership of `fd` (non-blocking) and starts watching it.
  Connection(int fd, EventLoop& loop, RpcDispatcher& dispatcher,
             const protocol::MsgpackLimits& limits);
  ~Connection() override;

  /// Announces the server's pid: Kong drops its instance ids when it changes.
  void announce_pid();
  void on_ready(std::uint32_t events) override;

  /// The connection is over; the owner may destroy it after this batch.
  bool closed() const { return fd_ < 0; }

 private:
  void read();
  /// Answers one request, which started at stream byte `at`; false when
  /// the stream cannot go on.
  bool handle(protocol::Value request, std::size_t at);
  void answer(const protocol::Value& msgid, const std::string& error,
              const protocol::Value& result);
  void refuse(const std::string& why);
  /// Writes what is pending; what the socket does not take waits for EPOLLOUT.
  void flush();
  void close();

  int fd_;
  EventLoop& loop_;
  RpcDispatcher& dispatcher_;
  protocol::MsgpackStream in_;
  std::string out_;
  std::size_t out_sent_ = 0;
  bool want_write_ = false;
  bool closing_ = false;  // close once out_ is written
};

}  // namespace kong::server
