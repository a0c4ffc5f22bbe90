#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kong/pdk/protocol.h"
#include "kong/protocol/rpc_message.h"
#include "kong/result.h"

#include "fuzz/wire_mutator.h"

namespace kong::mock {

/// What a plugin server did with one input sent on a connection of its own.
struct WireExchange {
  /// All it sent, up to its close.
  std::string received;
  /// It closed (or reset) its side.
  bool closed = false;
  /// Empty when it answered or closed in time; otherwise what it did not
  /// do ("neither answered nor closed the connection").
  std::string hang;
};

/// Sends `input` to the server listening at `socket`, then holds it to what
/// Kong needs: an answer to a whole message, or a close, within `bound`;
/// once mock-kong closes its side, a close within `bound` too. An event the
/// input starts gets its first PDK call answered with the input's step.
WireExchange exchange_input(const std::string& socket, Protocol protocol, const WireInput& input,
                            std::chrono::milliseconds bound);

/// What a server sent on one connection, taken apart.
struct Received {
  /// MsgPack:1: each whole value, as a message or why it is none.
  std::vector<Result<protocol::rpc::Message>> messages;
  /// ProtoBuf:1: how many whole frames.
  std::size_t frames = 0;
  /// Bytes that are no message of the protocol's: what is wrong.
  std::string error;
  /// Bytes of a message still to be completed.
  std::size_t partial = 0;

  /// Answers to what was sent: MsgPack:1 responses (not the serverPid
  /// notification a server sends first), or ProtoBuf:1 frames.
  std::size_t answers() const;
};
Received take_apart(Protocol protocol, std::string_view bytes);

/// Whether what a server sent before closing (taken apart) is its protocol's
/// answers: MsgPack:1 responses and notifications, or whole ProtoBuf:1
/// frames. Empty when they are; what is wrong otherwise.
std::string check_answer(Protocol protocol, const Received& received);

}  // namespace kong::mock
