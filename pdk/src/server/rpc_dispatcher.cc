#include "server/rpc_dispatcher.h"

#include <fmt/format.h>

#include "kong/protocol/json_value.h"

namespace kong::server {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

Reply fail(std::string message) {
  return Reply{Value{}, std::move(message)};
}

// The single map argument of most plugin.* calls.
const Value* map_param(const Array& params) {
  return params.size() == 1 && params[0].is_map() ? &params[0] : nullptr;
}

std::string describe(const Array& params) {
  return params.empty() ? "no params" : fmt::format("{}", protocol::to_debug_string(Value(params)));
}

const Value* int_field(const Value& m, std::string_view key) {
  const Value* v = m.find(key);
  return v && v->is_int() ? v : nullptr;
}

}  // namespace

// Events go first: their fibers unwind into stacks the pool still owns.
RpcDispatcher::~RpcDispatcher() {
  events_.clear();
}

Reply RpcDispatcher::dispatch(std::string_view method, Array params) {
  const auto command = protocol::rpc::find_command(method);
  if (!command)
    return fail(fmt::format("unknown method {}", method));
  return dispatch(*command, std::move(params));
}

Reply RpcDispatcher::dispatch(protocol::rpc::Command command, Array params) {
  using protocol::rpc::Command;
  try {
    switch (command) {
      case Command::start_instance:
        return start_instance(params);
      case Command::get_instance_status:
        return instance_status(params, false);
      case Command::close_instance:
        return instance_status(params, true);
      case Command::handle_event:
        return handle_event(params);
      case Command::step:
      case Command::step_multimap:
      case Command::step_credential:
      case Command::step_consumer:
      case Command::step_route:
      case Command::step_service:
      case Command::step_memory_stats:
      case Command::step_error:
        return step(command, params);
    }
    return fail(fmt::format("unknown method {}", protocol::rpc::command_name(command)));
  } catch (const std::exception& e) {
    return fail(fmt::format("{}: {}", protocol::rpc::command_name(command), e.what()));
  }
}

Reply RpcDispatcher::start_instance(const Array& params) {
  const Value* arg = map_param(params);
  const Value* name = arg ? arg->find("Name") : nullptr;
  const Value* config = arg ? arg->find("Config") : nullptr;
  if (!name || !name->is_text() || !config || !config->is_text()) {
    return fail("plugin.StartInstance: expected [{Name: string, Config: JSON string}], got " +
                describe(params));
  }
  auto started = instances_.start(name->text(), config->text());
  if (!started)
    return fail("plugin.StartInstance: " + started.error().message);
  return Reply{status_of(**started), {}};
}

Reply RpcDispatcher::instance_status(const Array& params, bool close) {
  const std::string_view method = protocol::rpc::command_name(
      close ? protocol::rpc::Command::close_instance : protocol::rpc::Command::get_instance_status);
  if (params.size() != 1 || !params[0].is_int()) {
    return fail(fmt::format("{}: expected [instance id], got {}", method, describe(params)));
  }
  // Kong looks for "no plugin instance" to restart its instances.
  auto found = instances_.find(params[0].as_int());
  if (!found)
    return fail(found.error().message);
  Value status = status_of(**found);
  // Running events hold the plugin; they finish with it.
  if (close)
    instances_.close(params[0].as_int());
  return Reply{std::move(status), {}};
}

Reply RpcDispatcher::handle_event(const Array& params) {
  const Value* arg = map_param(params);
  const Value* instance_id = arg ? int_field(*arg, "InstanceId") : nullptr;
  const Value* event_name = arg ? arg->find("EventName") : nullptr;
  if (!instance_id || !event_name || !event_name->is_text()) {
    return fail("plugin.HandleEvent: expected [{InstanceId: integer, EventName: string}], got " +
                describe(params));
  }
  auto instance = instances_.find(instance_id->as_int());
  if (!instance)
    return fail(instance.error().message);
  auto phase = instances_.handled_phase(event_name->text());
  if (!phase)
    return fail("plugin.HandleEvent: " + phase.error().message);
  const std::int64_t event_id = next_event_id_++;
  auto event = events_
                   .emplace(event_id, std::make_unique<Event>(event_id, *phase, (*instance)->plugin,
                                                              stacks_, stalls_))
                   .first;
  Event::Outcome outcome = event->second->run(Value{});
  return finish(event, std::move(outcome));
}

Reply RpcDispatcher::step(protocol::rpc::Command command, Array& params) {
  const std::string_view method = protocol::rpc::command_name(command);
  const bool is_error = command == protocol::rpc::Command::step_error;
  Value* arg = params.size() == 1 && params[0].is_map() ? &params[0] : nullptr;
  const Value* event_id = arg ? int_field(*arg, "EventId") : nullptr;
  if (!event_id) {
    return fail(fmt::format("{}: expected [{{EventId: integer, Data: value}}], got {}", method,
                            describe(params)));
  }
  auto it = events_.find(event_id->as_int());
  if (it == events_.end()) {
    return fail(fmt::format("{}: no running event {}", method, event_id->as_int()));
  }
  Value result;  // nil results may arrive without Data
  for (auto& [key, value] : arg->as_map()) {
    if (key.is_text() && key.text() == "Data")
      result = std::move(value);
  }
  std::optional<std::string> error;
  if (is_error) {
    error = result.is_text() ? std::string(result.text()) : protocol::to_debug_string(result);
    result = Value{};
  }
  Event::Outcome outcome = it->second->run(std::move(result), std::move(error));
  return finish(it, std::move(outcome));
}

Reply RpcDispatcher::finish(Events::iterator event, Event::Outcome outcome) {
  const std::int64_t id = event->first;
  auto answer = [id](Value data) {
    Map m;
    m.reserve(2);
    m.emplace_back(Value("Data"), std::move(data));
    m.emplace_back(Value("EventId"), Value(id));
    return Reply{Value(std::move(m)), {}};
  };
  auto call_data = [&outcome] {
    Map call;
    call.reserve(2);
    call.emplace_back(Value("Method"), Value(outcome.method->name));
    call.emplace_back(Value("Args"), Value(std::move(outcome.args)));
    return Value(std::move(call));
  };
  // A waiting event stays where it is; an ended one goes (and its stack back to the pool).
  switch (outcome.kind) {
    case Event::Outcome::Kind::call:
      return answer(call_data());
    case Event::Outcome::Kind::ended: {
      // The exit is Kong's answer (protocol.md §3): unwind the handler now.
      Reply reply = answer(call_data());
      event->second->end();
      events_.erase(event);
      return reply;
    }
    case Event::Outcome::Kind::returned:
      events_.erase(event);
      return answer(Value("ret"));
    case Event::Outcome::Kind::failed:
      break;
  }
  const Phase phase = event->second->phase();
  events_.erase(event);
  return fail(handler_failure(instances_.plugin_name(), phase, outcome.error));
}

void RpcDispatcher::expire_events(std::chrono::steady_clock::duration idle) {
  // Idle for `idle` or longer: expire_events(0s) drops every waiting event.
  const auto cutoff = std::chrono::steady_clock::now() - idle;
  std::erase_if(events_, [&](const auto& e) { return e.second->last_active() <= cutoff; });
}

Value RpcDispatcher::status_of(const Instance& instance) {
  Map m;
  m.emplace_back(Value("Id"), Value(instance.id));
  m.emplace_back(Value("Name"), Value(instance.name));
  m.emplace_back(Value("Config"), protocol::json_to_value(instance.plugin->config()));
  m.emplace_back(Value("StartTime"), Value(instance.start_time));
  return Value(std::move(m));
}

}  // namespace kong::server
