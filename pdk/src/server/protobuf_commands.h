#pragma once

#include <cstdint>

#include "kong/result.h"

#include "proto/kong_plugin_protocol.pb.h"
#include "server/instances.h"

namespace kong::server {

/// Answers a ProtoBuf:1 command other than cmd_handle_event (protocol.md §4),
/// independent of any socket: the RpcReturn with the call's sequence, or
/// why there is none ("no plugin instance 7", a bad config, no command).
/// Plugin info reports `loaded_at` (the server's start, in seconds since the
/// epoch) as both loaded_at and updated_at.
Result<kong_plugin_protocol::RpcReturn> answer_command(const kong_plugin_protocol::RpcCall& call,
                                                       Instances& instances,
                                                       std::int64_t loaded_at);

}  // namespace kong::server
