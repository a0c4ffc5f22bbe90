#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kong/protocol/rpc_message.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

namespace kong::mock {

/// What Kong sends with HandleEvent and each Step over MsgPack:1
/// (protocol.md §3): one map, {InstanceId, EventName} or {EventId, Data}.
struct EventParams {
  std::string_view id_key;
  std::int64_t id = 0;
  std::string_view data_key;
  /// Left out when nil, as Kong's encoder leaves nil map values out.
  protocol::Value data;
};

/// The params array as MsgpackTransport::call() takes it.
protocol::Array to_array(EventParams params);

/// Appends the call [0, msgid, method, [params]] as Kong writes it
/// (StrForm::kong), byte for byte what rpc::encode writes of
/// rpc::request(msgid, command, to_array(params)), without those Values:
/// an event sends one per PDK call.
void encode_event_call(std::int64_t msgid, protocol::rpc::Command command,
                       const EventParams& params, std::string& out);

/// What the server asks next in an event, from its answer to HandleEvent or
/// to a Step: the event is over (Data "ret"), or a PDK call.
struct EventStep {
  std::int64_t event_id = 0;
  bool over = false;
  std::string method;
  protocol::Array args;
};

/// Reads the usual answer, [1, msgid, nil, {EventId: integer, Data: "ret" |
/// {Method: text, Args: array}}], straight from the bytes `bytes` starts
/// with, into `step`, building Values only of the arguments: its size in
/// bytes. 0 when the bytes hold anything else or not all of it (an error, a
/// notification, another msgid, another shape, a message still arriving):
/// the general path then decodes the message and judges it
/// (event_step_of).
std::size_t read_event_step(std::string_view bytes, std::int64_t msgid, EventStep& step);

/// The same from an answer's result of any shape, decoded: the error says
/// what was expected and shows what came.
Status event_step_of(protocol::Value& result, EventStep& step);

}  // namespace kong::mock
