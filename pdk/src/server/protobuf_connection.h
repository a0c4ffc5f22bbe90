#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "kong/protocol/frame_stream.h"
#include "kong/protocol/method_table.h"

#include "server/connection.h"
#include "server/event.h"
#include "server/protobuf_module.h"

namespace kong::server {

/// One ProtoBuf:1 connection from Kong (protocol.md §4), the Go PDK's
/// protocol. Kong takes a connection from its keep-alive pool per command,
/// so one connection serves many commands, one after another: each an
/// RpcCall frame answered by an RpcReturn frame, except cmd_handle_event,
/// whose handler runs on this connection (at most one event at a time): each
/// PDK call is two frames (method name, input message), answered by one frame
/// from Kong; the end is an empty frame, then the RpcReturn.
///
/// Errors get no answer, as in the Go PDK: the connection is logged and
/// closed, which Kong takes like "no plugin instance" (it starts the
/// instance anew and retries) or as a failed event (a 500).
class ProtobufConnection final : public Connection, private OutcomeListener {
 public:
  /// Takes ownership of `fd` (non-blocking) and starts watching it.
  ProtobufConnection(int fd, EventLoop& loop, const ProtobufContext& context);
  /// Kong closing the connection mid-event ends the event here: its handler
  /// unwinds and its stack goes back to the pool.
  ~ProtobufConnection() override;

 private:
  std::span<char> receive_space() override { return in_.prepare(); }
  void received(std::size_t n) override;
  /// Handles the frames that arrived, until the handler waits off the thread.
  void take_frames();
  /// An RpcCall frame that started at stream byte `at`.
  void command(std::string_view frame, std::size_t at);
  void start_event(std::int64_t sequence, std::int64_t instance_id, std::string_view event_name);
  /// Kong's answer to the event's waiting PDK call.
  void answer_call(std::string_view frame);
  /// Puts what the handler did on the wire, until it waits for Kong or ends;
  /// nothing yet: the handler waits for kong.blocking's work.
  void step(std::optional<Event::Outcome> outcome);
  void on_outcome(Event& event, Event::Outcome outcome) override;
  void end_event();
  /// Logs why, and closes once pending output is written; nothing is answered.
  void give_up(std::string_view why);

  const ProtobufContext& context_;
  protocol::FrameStream in_;
  std::shared_ptr<Event> event_;
  /// The event's call waiting for Kong's answer.
  const protocol::MethodInfo* waiting_ = nullptr;
};

}  // namespace kong::server
