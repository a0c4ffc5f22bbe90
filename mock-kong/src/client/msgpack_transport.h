#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kong/mock/transport.h"
#include "kong/protocol/rpc_message.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

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
  };

  virtual ~MsgpackTransport() = default;

  /// Sends one call and waits for its answer. A transport failure (cannot
  /// connect, connection closed, timeout, undecodable answer) is an Error
  /// naming the method; an error the server answered is an Answer.
  virtual Result<Answer> call(protocol::rpc::Command command, protocol::Array params) = 0;

  /// As PluginClient's: why the latest call failed on its connection.
  virtual ConnectionFault last_fault() const { return ConnectionFault::none; }
};

}  // namespace kong::mock
