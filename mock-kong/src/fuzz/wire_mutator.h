#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kong/pdk/protocol.h"
#include "kong/protocol/phase.h"
#include "kong/protocol/value.h"

#include "fuzz/case_mutator.h"

namespace kong::mock {

/// One hostile input for a plugin server's socket, sent on a connection of
/// its own.
struct WireInput {
  /// What it is, without its random parts: the finding's title and key
  /// ("a plugin.HandleEvent whose InstanceId is a string").
  std::string what;
  std::string bytes;
  /// It ends where a message ends: the server owes an answer or a close
  /// without waiting for more bytes. Otherwise the fuzzer closes its side
  /// first, and then the server owes a close.
  bool complete = true;
  /// An event is started (a good plugin.HandleEvent or cmd_handle_event):
  /// the handler's first PDK call is answered with this, the answer Kong
  /// would never give. MsgPack:1: the Step's Data; ProtoBuf:1: the frame.
  std::optional<protocol::Value> step_data;
  std::optional<std::string> step_frame;
};

/// Makes malformed frames and ill-typed calls for a server of either
/// protocol: bytes that are no message, lengths past any limit, nesting
/// past any depth, messages of the wrong shape, msgids and params of the
/// wrong types, unknown methods, instances and events, calls out of order,
/// many messages at once, and PDK calls answered with what Kong never
/// sends. The messages are built with the protocol's own builders, so that
/// all but the broken part is what Kong sends.
class WireMutator {
 public:
  struct Target {
    Protocol protocol = Protocol::msgpack;
    std::string plugin_name;
    /// A configuration the plugin takes, as Kong sends it (JSON).
    std::string config;
    /// The instance the fixture's cases run on.
    std::int64_t instance_id = 0;
    /// The phases the plugin handles: events worth starting.
    std::vector<Phase> phases;
  };
  WireMutator(Target target, std::uint64_t seed);

  WireInput next();

 private:
  WireInput msgpack();
  WireInput protobuf();
  WireInput not_a_message();
  protocol::Value odd_value();
  std::string random_bytes(std::size_t max);
  std::string phase_name();

  Target target_;
  FuzzRandom random_;
  std::int64_t msgid_ = 1;
};

}  // namespace kong::mock
