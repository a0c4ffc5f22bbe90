// The one-function modules: kong.cluster, kong.plugin and kong.telemetry.
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

// The cluster id from Kong's parameters table; nil when there is none.
Value cluster_get_id(KongState& s, const Array&) {
  return s.kong->cluster_id ? Value(*s.kong->cluster_id) : Value{};
}

// ngx.ctx.plugin_id: the running configuration's __plugin_id. The log
// handler's timer gets a copy of ngx.ctx, so it works there too.
Value plugin_get_id(KongState& s, const Array&) {
  return Value(s.plugin_id);
}

// kong/pdk/telemetry.lua checks its arguments, then needs the OpenTelemetry
// plugin's log hook, which mock-kong never has: every call is nil, err.
Value telemetry_log(KongState& s, const Array& args) {
  const Value& message = arg(args, 3);
  const Value& attributes = arg(args, 4);
  if (!arg(args, 0).is_text()) {
    s.soft_error = "plugin_name must be a string";
  } else if (lua_type(arg(args, 1)) != "table") {
    s.soft_error = "plugin_config must be a table";
  } else if (!arg(args, 2).is_text()) {
    s.soft_error = "message_type must be a string";
  } else if (!message.is_nil() && !(message.is_bool() && !message.as_bool()) &&
             !message.is_text()) {
    s.soft_error = "message must be a string";
  } else if (!attributes.is_nil() && !(attributes.is_bool() && !attributes.as_bool()) &&
             lua_type(attributes) != "table") {
    s.soft_error = "attributes must be a table";
  } else {
    s.soft_error =
        "Telemetry logging is disabled: log entry will not be recorded. Ensure the "
        "OpenTelemetry plugin is correctly configured to report logs in order to use this "
        "feature.";
  }
  return Value{};
}

}  // namespace

void register_cluster(Emulation& e) {
  e.add(protocol::MethodId::cluster_get_id, cluster_get_id);
}

void register_plugin(Emulation& e) {
  e.add(protocol::MethodId::plugin_get_id, plugin_get_id);
}

void register_telemetry(Emulation& e) {
  e.add(protocol::MethodId::telemetry_log, telemetry_log);
}

}  // namespace kong::mock
