#include "server/rpc_dispatcher.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "kong/protocol/typed_codec.h"

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

RpcDispatcher::RpcDispatcher(std::string plugin_name, const PluginType& type,
                             const ServerOptions& options)
    : plugin_name_(std::move(plugin_name)), type_(type), stacks_(options.handler_stack_bytes) {}

// Events go first: their fibers unwind into stacks the pool still owns.
RpcDispatcher::~RpcDispatcher() {
  events_.clear();
}

Reply RpcDispatcher::dispatch(std::string_view method, Array params) {
  try {
    // The Step family first: it is most of the traffic.
    if (method.starts_with("plugin.Step")) {
      if (method == "plugin.StepError")
        return step(method, params, true);
      for (auto kind :
           {protocol::StepKind::plain, protocol::StepKind::multimap, protocol::StepKind::credential,
            protocol::StepKind::consumer, protocol::StepKind::route, protocol::StepKind::service,
            protocol::StepKind::memory_stats}) {
        if (method == protocol::step_method(kind))
          return step(method, params, false);
      }
    }
    if (method == "plugin.HandleEvent")
      return handle_event(params);
    if (method == "plugin.StartInstance")
      return start_instance(params);
    if (method == "plugin.GetInstanceStatus")
      return instance_status(params, false);
    if (method == "plugin.CloseInstance")
      return instance_status(params, true);
    return fail(fmt::format("unknown method {}", method));
  } catch (const std::exception& e) {
    return fail(fmt::format("{}: {}", method, e.what()));
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
  auto json = nlohmann::json::parse(config->text(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded())
    return fail("plugin.StartInstance: Config is not valid JSON");
  auto created = type_.create(json);
  if (!created)
    return fail("plugin.StartInstance: config: " + created.error().message);

  // Like the Go PDK: a non-zero __seq__ (added by Kong) is the instance id.
  std::int64_t id = 0;
  if (auto seq = json.find("__seq__"); seq != json.end() && seq->is_number_integer()) {
    id = seq->get<std::int64_t>();
  }
  if (id == 0) {
    while (instances_.contains(next_instance_id_))
      ++next_instance_id_;
    id = next_instance_id_++;
  }
  Instance instance{id, std::string(name->text()), std::move(created).value(),
                    static_cast<std::int64_t>(std::time(nullptr))};
  Value status = status_of(instance);
  instances_.insert_or_assign(id, std::move(instance));
  return Reply{std::move(status), {}};
}

Reply RpcDispatcher::instance_status(const Array& params, bool close) {
  const char* method = close ? "plugin.CloseInstance" : "plugin.GetInstanceStatus";
  if (params.size() != 1 || !params[0].is_int()) {
    return fail(fmt::format("{}: expected [instance id], got {}", method, describe(params)));
  }
  auto it = instances_.find(params[0].as_int());
  // Kong looks for "no plugin instance" to restart its instances.
  if (it == instances_.end())
    return fail(fmt::format("no plugin instance {}", params[0].as_int()));
  Value status = status_of(it->second);
  // Running events hold the plugin; they finish with it.
  if (close)
    instances_.erase(it);
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
  auto it = instances_.find(instance_id->as_int());
  if (it == instances_.end())
    return fail(fmt::format("no plugin instance {}", instance_id->as_int()));
  const auto phase = parse_phase(event_name->text());
  if (!phase || std::find(type_.phases.begin(), type_.phases.end(), *phase) == type_.phases.end()) {
    return fail(fmt::format("plugin.HandleEvent: {} has no handler for phase \"{}\"", plugin_name_,
                            event_name->text()));
  }
  const std::int64_t event_id = next_event_id_++;
  auto event =
      events_
          .emplace(event_id, std::make_unique<Event>(event_id, *phase, it->second.plugin, stacks_))
          .first;
  Event::Outcome outcome = event->second->run(Value{});
  return finish(event, std::move(outcome));
}

Reply RpcDispatcher::step(std::string_view method, Array& params, bool is_error) {
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
  // A waiting event stays where it is; an ended one goes (and its stack back to the pool).
  const std::int64_t id = event->first;
  const Phase phase = event->second->phase();
  if (outcome.kind != Event::Outcome::Kind::call)
    events_.erase(event);
  auto answer = [id](Value data) {
    Map m;
    m.reserve(2);
    m.emplace_back(Value("Data"), std::move(data));
    m.emplace_back(Value("EventId"), Value(id));
    return Reply{Value(std::move(m)), {}};
  };
  switch (outcome.kind) {
    case Event::Outcome::Kind::call:
    case Event::Outcome::Kind::ended:
      return answer(std::move(outcome.call));
    case Event::Outcome::Kind::returned:
      return answer(Value("ret"));
    case Event::Outcome::Kind::failed:
      break;
  }
  return fail(
      fmt::format("{} {} handler failed: {}", plugin_name_, to_string(phase), outcome.error));
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
