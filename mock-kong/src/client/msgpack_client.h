#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kong/protocol/msgpack_stream.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

#include "client/msgpack_transport.h"
#include "client/socket_connection.h"

namespace kong::mock {

/// Kong's side of MsgPack:1 (protocol.md §3): `[0, msgid, method, params]`
/// out, `[1, msgid, error, result]` back. Like Kong, it takes a connection
/// per call from a keep-alive pool, so one event's calls travel over several
/// connections: a server that keeps event state per connection fails here as
/// it would under Kong. Events in flight at once (--bench's fibers) each
/// take a free connection, and a new one when none is free.
class MsgpackClient final : public MsgpackTransport {
 public:
  struct Options {
    std::string socket_path;
    /// Connections used in turn, one per call: the pool holds at least
    /// this many once as many calls were made.
    std::size_t pool_size = 2;
    /// How long one call may wait for its answer.
    std::chrono::milliseconds timeout{10000};
  };

  explicit MsgpackClient(Options options);
  ~MsgpackClient() override;
  MsgpackClient(const MsgpackClient&) = delete;
  MsgpackClient& operator=(const MsgpackClient&) = delete;

  /// Makes `socket` the pool's next connection.
  void adopt(std::unique_ptr<SocketConnection> socket);

  Result<Answer> call(protocol::rpc::Command command, protocol::Array params) override;
  /// Writes the call without building its Values, and reads the usual
  /// answer straight from the bytes (read_event_step).
  Result<Answer> call_event(protocol::rpc::Command command, EventParams params,
                            EventStep& step) override;
  ConnectionFault last_fault() const override { return last_fault_; }

  /// The pid the server announced with a serverPid notification, if any.
  std::optional<std::int64_t> server_pid() const { return server_pid_; }

 private:
  struct Connection {
    std::unique_ptr<SocketConnection> socket;
    protocol::MsgpackStream in;
    std::string out;  // the request being written, its capacity kept for the next
  };
  using Owned = std::unique_ptr<Connection>;
  /// The idle connection used longest ago, or a new one while the pool
  /// holds fewer than pool_size or none is idle.
  Result<Owned> take();
  void give_back(Owned c);
  /// After a write the server cut short: its refusal, if it sent one.
  std::string refusal(Connection& c);

  /// One call on its way: the connection it took, its msgid, and when it
  /// must be answered by.
  struct Exchange {
    Owned connection;
    std::int64_t msgid = 0;
    std::string_view method;
    Deadline deadline;
  };
  /// Takes a connection and a msgid, `encode` writes the request into the
  /// connection's buffer, and it goes out.
  template <class Encode>
  Result<Exchange> send(protocol::rpc::Command command, Encode encode);
  /// Reads the answer to `x` as a Value (any message that arrives).
  Result<Answer> read_answer(Exchange& x);
  /// A call that failed on its connection: why, with the method's name. The
  /// connection is not given back, so that the next call opens a fresh one,
  /// as Kong's pool would.
  Error broken(Exchange& x, std::string why);

  Options options_;
  std::deque<Owned> idle_;
  std::size_t open_ = 0;  // idle or in use
  std::int64_t next_msgid_ = 1;
  std::optional<std::int64_t> server_pid_;
  ConnectionFault last_fault_ = ConnectionFault::none;
};

}  // namespace kong::mock
