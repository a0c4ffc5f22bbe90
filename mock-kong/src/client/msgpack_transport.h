#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kong/mock/transport.h"
#include "kong/protocol/rpc_message.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

#include "client/event_exchange.h"

namespace kong::mock {

/// How Kong's MsgPack:1 calls reach a plugin server: `[0, msgid, method,
/// params]` out, `[1, msgid, error, result]` back (protocol.md §3). Over its
/// socket (MsgpackClient), or to a server in this process (kong::testing).
class MsgpackTransport {
 public:
  /// The answer to one call: a result, or the error text the server sent.
  struct Answer {
    protocol::Value result;
    std::optional<std::string> error;
    /// call_event(): the answer was the usual one, read into the EventStep
    /// given (result is then nil).
    bool step_read = false;
  };

  virtual ~MsgpackTransport() = default;

  /// Sends one call and waits for its answer. A transport failure (cannot
  /// connect, connection closed, timeout, undecodable answer) is an Error
  /// naming the method; an error the server answered is an Answer.
  virtual Result<Answer> call(protocol::rpc::Command command, protocol::Array params) = 0;

  /// HandleEvent or a Step, as call() with [params]. A transport that reads
  /// the usual answer straight from the bytes puts it in `step` and says so
  /// (Answer::step_read); any other answer is returned as call() returns it.
  virtual Result<Answer> call_event(protocol::rpc::Command command, EventParams params,
                                    EventStep& step) {
    (void)step;
    return call(command, to_array(std::move(params)));
  }

  /// As PluginClient's: why the latest call failed on its connection.
  virtual ConnectionFault last_fault() const { return ConnectionFault::none; }
};

}  // namespace kong::mock
