#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "kong/mock/transport.h"
#include "kong/protocol/method_table.h"
#include "kong/protocol/phase.h"
#include "kong/result.h"

namespace kong::mock {

/// What Kong does with one PDK call of a running event.
struct CallOutcome {
  enum class Kind {
    answer,  // send `result` back to the handler
    ended,   // the call ended the event (kong.response.exit): Kong sends nothing
    failed   // a Lua error in the PDK function: Kong abandons the event
  } kind = Kind::answer;
  protocol::Value result;
  std::string error;  // failed: Kong's error text
};

/// Answers the calls of a running event: the lifecycle's emulation of Kong.
/// `method` is nullptr for a name Kong has no function for; MsgPack:1 then
/// asks what to answer, ProtoBuf:1 fails the event itself.
using CallHandler = std::function<CallOutcome(
    std::string_view name, const protocol::MethodInfo* method, protocol::Array args)>;

/// How an event ended, seen from Kong.
struct EventEnd {
  enum class Kind {
    returned,      // the handler returned
    exited,        // a call ended it (kong.response.exit)
    failed,        // Kong logs `error` and answers the client 500
    lost_instance  // the server does not know the instance (it restarted):
                   // Kong starts a new instance and runs the event again
  } kind = Kind::returned;
  std::string error;
  /// PDK calls answered during the event, for error messages.
  std::size_t calls = 0;
  /// The last of them: the handler was running after its answer when the
  /// event failed.
  std::string last_call;

  /// The event failed with `why`: `return end.fail(...)`.
  EventEnd fail(std::string why) {
    kind = Kind::failed;
    error = std::move(why);
    return *this;
  }
};

/// Kong's side of one wire protocol (protocol.md §2–§4): plugin instances
/// and events. MsgpackPluginClient and ProtobufClient implement it; the
/// lifecycle drives either the same way.
class PluginClient {
 public:
  virtual ~PluginClient() = default;

  /// "MsgPack:1" or "ProtoBuf:1".
  virtual std::string_view protocol() const = 0;

  /// Starts an instance of plugin `name` with Kong's configuration (JSON
  /// text, with __seq__ and __plugin_id) and returns its id.
  virtual Result<std::int64_t> start_instance(const std::string& name,
                                              const std::string& config) = 0;
  virtual Status close_instance(std::int64_t id) = 0;

  /// Runs the handler of `phase` on instance `id`, answering each PDK call
  /// with `handler`, until the event ends.
  virtual EventEnd run_event(std::int64_t id, Phase phase, const CallHandler& handler) = 0;

  /// Why the latest command or event failed on its connection (none when
  /// it did not, or failed otherwise): the session tells a crashed or hung
  /// server from an error it answered.
  virtual ConnectionFault last_fault() const { return ConnectionFault::none; }
};

}  // namespace kong::mock
