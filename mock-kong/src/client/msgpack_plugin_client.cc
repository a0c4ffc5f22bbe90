#include "client/msgpack_plugin_client.h"

#include <fmt/format.h>

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

// An array of one value, moved in: an Array{...} would copy it.
Array single(Value v) {
  Array a;
  a.push_back(std::move(v));
  return a;
}

// Kong's fix_mmap (mp_rpc.lua), for the functions answered with
// plugin.StepMultiMap: the Lua table goes out with a lone value as a
// one-element array, a flag (true) as an empty array, arrays as they are,
// and an empty table as an empty map.
Value fix_mmap(Value v) {
  if (v.is_array() && v.as_array().empty())
    return Value(Map{});
  if (!v.is_map())
    return v;
  for (auto& [name, values] : v.as_map()) {
    if (values.is_bool() && values.as_bool())
      values = Value(Array{});
    else if (values.is_text())
      values = Value(single(std::move(values)));
  }
  return v;
}

}  // namespace

Result<std::int64_t> MsgpackPluginClient::start_instance(const std::string& name,
                                                         const std::string& config) {
  Map m;
  m.emplace_back(Value("Name"), Value(name));
  m.emplace_back(Value("Config"), Value(config));
  ill_formed_ = false;
  auto answer =
      transport_->call(protocol::rpc::Command::start_instance, single(Value(std::move(m))));
  if (!answer)
    return answer.error();
  if (answer->error)
    return Error{"plugin.StartInstance failed: " + *answer->error};
  const Value* id = answer->result.find("Id");
  if (!id || !id->is_int()) {
    ill_formed_ = true;
    return Error{"plugin.StartInstance: expected {Id: integer, ...}, got " +
                 protocol::to_debug_string(answer->result)};
  }
  return id->as_int();
}

Status MsgpackPluginClient::close_instance(std::int64_t id) {
  ill_formed_ = false;
  auto answer = transport_->call(protocol::rpc::Command::close_instance, single(Value(id)));
  if (!answer)
    return answer.error();
  if (answer->error)
    return Error{"plugin.CloseInstance failed: " + *answer->error};
  return Ok{};
}

EventEnd MsgpackPluginClient::run_event(std::int64_t id, Phase phase, const CallHandler& handler) {
  const std::string_view phase_name = to_string(phase);
  EventEnd end;
  ill_formed_ = false;
  // What the server asks next: read where it arrived, kept until the Step.
  EventStep step;
  auto answer = transport_->call_event(protocol::rpc::Command::handle_event,
                                       {"InstanceId", id, "EventName", Value(phase_name)}, step);
  // Kong's cue that the server restarted: it starts a new instance and retries.
  if (answer && answer->error && answer->error->find("no plugin instance") != std::string::npos) {
    end.kind = EventEnd::Kind::lost_instance;
    return end;
  }
  for (;;) {
    if (!answer)
      return end.fail(answer.error().message);
    if (answer->error)
      return end.fail(fmt::format("{} handler failed: {}", phase_name, *answer->error));
    if (!answer->step_read) {
      if (auto read = event_step_of(answer->result, step); !read) {
        ill_formed_ = true;
        return end.fail(fmt::format("{}: {}", phase_name, read.error().message));
      }
    }
    if (step.over)
      return end;
    const std::string_view method = step.method;
    const protocol::MethodInfo* info = protocol::find_method(method);
    CallOutcome outcome = handler(method, info, std::move(step.args));
    ++end.calls;
    end.last_call.assign(method);
    switch (outcome.kind) {
      case CallOutcome::Kind::failed:
        return end.fail(std::move(outcome.error));
      case CallOutcome::Kind::ended:  // Kong sends no Step
        end.kind = EventEnd::Kind::exited;
        return end;
      case CallOutcome::Kind::answer:
        break;
    }
    // Kong answers a name it does not know with a plain Step.
    const auto kind = info ? info->step : protocol::StepKind::plain;
    Value result = kind == protocol::StepKind::multimap ? fix_mmap(std::move(outcome.result))
                                                        : std::move(outcome.result);
    answer = transport_->call_event(protocol::rpc::step_command(kind),
                                    {"EventId", step.event_id, "Data", std::move(result)}, step);
  }
}

}  // namespace kong::mock
