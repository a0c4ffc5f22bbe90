#include "server/protobuf_commands.h"

#include <string>

#include <fmt/format.h>

#include "kong/protocol/json_value.h"

#include "protocol/protobuf_value.h"
#include "server/plugin_info.h"

namespace kong::server {
namespace {

namespace pb = kong_plugin_protocol;

// The instance as Kong sees it: its configuration, every field present,
// travels as a google.protobuf.Value (numbers become doubles there).
void status_of(const Instance& instance, pb::InstanceStatus& out) {
  out.set_name(instance.name);
  // Kong's InstanceStatus has an int32 id; __seq__ ids beyond it wrap as
  // they do in the Go PDK, and Kong's next call finds no such instance.
  out.set_instance_id(static_cast<std::int32_t>(instance.id));
  // A JSON object's keys are strings, so the conversion cannot fail.
  protocol::protobuf::to_protobuf_value(protocol::json_to_value(instance.plugin->config()),
                                        *out.mutable_config());
  out.set_started_at(instance.start_time);
}

void info_of(const Instances& instances, std::int64_t loaded_at, pb::PluginInfo& out) {
  const PluginType& type = instances.type();
  out.set_name(instances.plugin_name());
  out.set_updated_at(loaded_at);
  out.set_loaded_at(loaded_at);
  for (Phase p : type.phases)
    out.add_phases(std::string(to_string(p)));
  out.set_version(type.version);
  out.set_priority(type.priority);
  out.set_schema(plugin_schema(instances.plugin_name(), type).dump());
}

}  // namespace

Result<pb::RpcReturn> answer_command(const pb::RpcCall& call, Instances& instances,
                                     std::int64_t loaded_at) {
  pb::RpcReturn answer;
  answer.set_sequence(call.sequence());
  switch (call.call_case()) {
    case pb::RpcCall::kCmdGetPluginNames:
      answer.mutable_plugin_names()->add_names(instances.plugin_name());
      return answer;
    case pb::RpcCall::kCmdGetPluginInfo:
      if (call.cmd_get_plugin_info().name() != instances.plugin_name()) {
        return Error{
            fmt::format("cmd_get_plugin_info: no plugin \"{}\" here (this server has \"{}\")",
                        call.cmd_get_plugin_info().name(), instances.plugin_name())};
      }
      info_of(instances, loaded_at, *answer.mutable_plugin_info());
      return answer;
    case pb::RpcCall::kCmdStartInstance: {
      const auto& cmd = call.cmd_start_instance();
      auto started = instances.start(cmd.name(), cmd.config());
      if (!started)
        return Error{"cmd_start_instance: " + started.error().message};
      status_of(**started, *answer.mutable_instance_status());
      return answer;
    }
    case pb::RpcCall::kCmdGetInstanceStatus:
    case pb::RpcCall::kCmdCloseInstance: {
      const bool close = call.call_case() == pb::RpcCall::kCmdCloseInstance;
      const std::int64_t id = close ? call.cmd_close_instance().instance_id()
                                    : call.cmd_get_instance_status().instance_id();
      auto found = instances.find(id);
      if (!found) {
        return Error{fmt::format("{}: {}", close ? "cmd_close_instance" : "cmd_get_instance_status",
                                 found.error().message)};
      }
      status_of(**found, *answer.mutable_instance_status());
      // Running events hold the plugin; they finish with it.
      if (close)
        instances.close(id);
      return answer;
    }
    case pb::RpcCall::kCmdHandleEvent:
      return Error{"cmd_handle_event: an event runs on its connection, not here"};
    case pb::RpcCall::CALL_NOT_SET:
      break;
  }
  return Error{"no command this server knows"};
}

}  // namespace kong::server
