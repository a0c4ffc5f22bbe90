#include "server/rpc_dispatcher.h"

#include <iterator>
#include <tuple>
#include <utility>

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
// Those away keep their handlers until the work they wait for is done.
RpcDispatcher::~RpcDispatcher() {
  while (!events_.empty())
    drop(events_.begin());
}

std::optional<Reply> RpcDispatcher::dispatch(std::string_view method, Array params,
                                             ReplyTo& later) {
  const auto command = protocol::rpc::find_command(method);
  if (!command)
    return fail(fmt::format("unknown method {}", method));
  return dispatch(*command, std::move(params), later);
}

std::optional<Reply> RpcDispatcher::dispatch(protocol::rpc::Command command, Array params,
                                             ReplyTo& later) {
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
        return handle_event(params, later);
      case Command::step:
      case Command::step_multimap:
      case Command::step_credential:
      case Command::step_consumer:
      case Command::step_route:
      case Command::step_service:
      case Command::step_memory_stats:
      case Command::step_error:
        return step(command, params, later);
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

std::optional<Reply> RpcDispatcher::handle_event(const Array& params, ReplyTo& later) {
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
  auto running =
      events_.emplace(event_id, Running{driver_.start(event_id, *phase, (*instance)->plugin)})
          .first;
  return advance(running, Value{}, std::nullopt, later);
}

std::optional<Reply> RpcDispatcher::step(protocol::rpc::Command command, Array& params,
                                         ReplyTo& later) {
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
  if (it->second.away) {
    return fail(
        fmt::format("{}: event {} has not answered its last step yet", method, event_id->as_int()));
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
  return advance(it, std::move(result), std::move(error), later);
}

std::optional<Reply> RpcDispatcher::advance(Events::iterator running, Value result,
                                            std::optional<std::string> error, ReplyTo& later) {
  // While its handler runs out of the lock, other threads may add events
  // (the table may rehash: the iterator is found again after) and must
  // neither step nor expire this one.
  const bool unlocks = driver_.may_unlock();
  const std::int64_t id = running->first;
  if (unlocks)
    running->second.away = true;
  auto outcome = driver_.advance(running->second.event, std::move(result), std::move(error), *this);
  if (unlocks) {
    running = events_.find(id);
    running->second.away = false;
  }
  if (outcome)
    return finish(running, std::move(*outcome));
  running->second.away = true;
  running->second.reply_to = &later;
  return std::nullopt;
}

void RpcDispatcher::on_outcome(Event& event, Event::Outcome outcome) {
  auto running = events_.find(event.id());
  if (running == events_.end())
    return;
  ReplyTo* reply_to = std::exchange(running->second.reply_to, nullptr);
  running->second.away = false;
  if (reply_to == nullptr) {
    // Its connection went: Kong cannot step it on.
    drop(running);
    return;
  }
  reply_to->deliver(finish(running, std::move(outcome)));
}

void RpcDispatcher::forget(ReplyTo& reply_to) {
  for (auto& [id, running] : events_) {
    if (running.reply_to == &reply_to)
      running.reply_to = nullptr;
  }
}

void RpcDispatcher::drop(Events::iterator running) {
  // An event away is not resumed when its work is done (EventDriver).
  running->second.event->set_listener(nullptr);
  events_.erase(running);
}

Reply RpcDispatcher::finish(Events::iterator running, Event::Outcome outcome) {
  const std::int64_t id = running->first;
  Event& event = *running->second.event;
  // Each pair built in place: no temporary Value to destroy, on the path
  // every PDK call takes.
  auto entry = [](Map& map, const char* key, auto&& value) {
    map.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                     std::forward_as_tuple(std::forward<decltype(value)>(value)));
  };
  auto answer = [id, &entry](Value data) {
    Map m;
    m.reserve(2);
    entry(m, "Data", std::move(data));
    entry(m, "EventId", id);
    return Reply{Value(std::move(m)), {}};
  };
  auto call_data = [&outcome, &entry] {
    Map call;
    call.reserve(2);
    entry(call, "Method", outcome.method->name);
    entry(call, "Args", std::move(outcome.args));
    return Value(std::move(call));
  };
  // A waiting event stays where it is; an ended one goes (and its stack back to the pool).
  switch (outcome.kind) {
    case Event::Outcome::Kind::call:
      return answer(call_data());
    case Event::Outcome::Kind::ended: {
      // The exit is Kong's answer (protocol.md §3): unwind the handler now.
      Reply reply = answer(call_data());
      driver_.end(running->second.event);
      events_.erase(running);
      return reply;
    }
    case Event::Outcome::Kind::returned:
      events_.erase(running);
      return answer(Value("ret"));
    case Event::Outcome::Kind::failed:
    case Event::Outcome::Kind::blocked:  // EventDriver's, never here
      break;
  }
  const Phase phase = event.phase();
  events_.erase(running);
  return fail(handler_failure(instances_.plugin_name(), phase, outcome.error));
}

void RpcDispatcher::expire_events(std::chrono::steady_clock::duration idle) {
  // Idle for `idle` or longer: expire_events(0s) drops every waiting event.
  const auto cutoff = std::chrono::steady_clock::now() - idle;
  // One away runs elsewhere: it is looked at when its outcome comes back.
  for (auto it = events_.begin(); it != events_.end();) {
    auto next = std::next(it);
    if (!it->second.away && it->second.event->last_active() <= cutoff)
      drop(it);
    it = next;
  }
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
