#include "kong/mock/lifecycle.h"

#include <algorithm>

#include <fmt/format.h>

#include "kong/mock/session.h"

#include "emulation/emulation.h"
#include "emulation/serialize.h"
#include "emulation/unlisted_functions.h"
#include "fixture/transcript_value.h"
#include "runner/runloop.h"
#include "runner/transcript_player.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

// Runs one event at a time, answering its PDK calls from the emulation.
class EventRunner {
 public:
  EventRunner(KongState& state, CaseRun& run, CallInterceptor* interceptor,
              TranscriptPlayer* player, bool per_plugin)
      : state_(state),
        run_(run),
        interceptor_(interceptor),
        player_(player),
        per_plugin_(per_plugin) {}

  /// Whether the latest event ended in a PDK call Kong refused (a Lua error
  /// in Kong), rather than in an error the plugin server reported.
  bool pdk_call_failed() const { return pdk_call_failed_; }

  /// Runs `plugin`'s handler of `phase`. With several plugins, what it
  /// logged and called is marked with its name, and its phases and errors
  /// are also its own (CaseRun::plugins).
  EventEnd::Kind run(PluginSession& plugin, Phase phase) {
    plugin_ = &plugin;
    state_.phase = phase;
    // After a crash, a hang or garbage, the case is over for the server.
    if (run_.fault)
      return EventEnd::Kind::failed;
    if (!plugin.plugin_id().empty())
      state_.plugin_id = plugin.plugin_id();
    if (!per_plugin_)
      return run_event(phase);
    const std::size_t log = state_.log.size();
    const std::size_t trace = state_.trace.size();
    const std::size_t errors = run_.errors.size();
    const EventEnd::Kind end = run_event(phase);
    const std::string& name = plugin.info().name;
    for (std::size_t i = log; i < state_.log.size(); ++i)
      state_.log[i].plugin = name;
    for (std::size_t i = trace; i < state_.trace.size(); ++i)
      state_.trace[i].plugin = name;
    PluginRun& mine = run_.plugins[name];
    mine.phases_run.emplace_back(to_string(phase));
    mine.errors.insert(mine.errors.end(), run_.errors.begin() + static_cast<std::ptrdiff_t>(errors),
                       run_.errors.end());
    return end;
  }

 private:
  EventEnd::Kind run_event(Phase phase) {
    PluginSession& plugin = *plugin_;
    pdk_call_failed_ = false;
    run_.phases_run.emplace_back(to_string(phase));
    const CallHandler answer = [&](std::string_view name, const protocol::MethodInfo* info,
                                   Array args) { return call(phase, name, info, std::move(args)); };
    EventEnd end = plugin.client().run_event(plugin.instance_id(), phase, answer);
    if (end.kind == EventEnd::Kind::failed || end.kind == EventEnd::Kind::lost_instance) {
      if (auto fault = server_fault(phase, end)) {
        run_.errors.push_back("the plugin server " + fault->message);
        run_.fault = std::move(fault);
        return EventEnd::Kind::failed;
      }
    }
    // The server lost the instance (it restarted): Kong starts a new one and
    // runs the event again, once here.
    if (end.kind == EventEnd::Kind::lost_instance) {
      if (!end.error.empty())
        run_.errors.push_back(end.error);
      if (auto restarted = plugin.restart_instance(); !restarted)
        return fail(restarted.error().message);
      end = plugin.client().run_event(plugin.instance_id(), phase, answer);
    }
    switch (end.kind) {
      case EventEnd::Kind::returned:
      case EventEnd::Kind::exited:
        return end.kind;
      case EventEnd::Kind::failed:
        run_.handler_failures.push_back({phase, end.error, pdk_call_failed_, end.last_call});
        return fail(std::move(end.error));
      case EventEnd::Kind::lost_instance:
        break;
    }
    return fail(fmt::format("{}: the plugin server does not know instance {}{}", to_string(phase),
                            plugin.instance_id(), end.error.empty() ? "" : ": " + end.error));
  }

  // Whether the event failed because the server crashed, hung or broke the
  // protocol; the session has restarted a crashed or hung one.
  std::optional<ServerFault> server_fault(Phase phase, const EventEnd& end) {
    const ConnectionFault connection = plugin_->client().last_fault();
    if (connection == ConnectionFault::none)
      return std::nullopt;
    ServerFault fault{ServerFault::Kind::violated, phase, end.calls, end.last_call, ""};
    const std::string where =
        fmt::format("in the {} phase, {}", to_string(phase),
                    end.calls == 0 ? std::string("before its handler made a PDK call")
                                   : fmt::format("while its handler ran after PDK call {} ({})",
                                                 end.calls, end.last_call));
    if (connection == ConnectionFault::garbled) {
      fault.message = fmt::format("broke the protocol {}: {}", where, end.error);
      return fault;
    }
    auto loss = plugin_->recover(connection);
    if (!loss)
      return std::nullopt;
    fault.kind = loss->hung ? ServerFault::Kind::hung : ServerFault::Kind::crashed;
    fault.message = loss->hung ? fmt::format("hung {}: {}", where, end.error)
                               : fmt::format("{} {}", loss->how, where);
    fault.message += PluginSession::aftermath(*loss);
    return fault;
  }

  // What Kong does with one PDK call: finds the function by name, checks the
  // phase, then runs it.
  CallOutcome call(Phase phase, std::string_view name, const protocol::MethodInfo* info,
                   Array args) {
    if (player_)
      return replay(phase, name, info, std::move(args));
    if (!loaded_in(state_.subsystem, name))
      return not_found(phase, name);
    if (info == nullptr) {
      if (const UnlistedFunction* f = find_unlisted_function(name)) {
        return attempt(phase, name, args, [&] {
          if ((f->phases & protocol::bit(phase)) == 0)
            throw LuaError{fmt::format("function cannot be called in {} phase (only in: {})",
                                       to_string(phase), protocol::phase_list(f->phases))};
          return f->answer(state_, args);
        });
      }
      return not_found(phase, name);
    }
    state_.exercised.set(static_cast<std::size_t>(info->id));
    CallOutcome outcome = attempt(phase, name, args, [&] {
      if (checks_phase(*info) && !info->allowed_in(protocol::bit(phase)))
        throw LuaError{info->phase_error(to_string(phase))};
      auto emulate = [&]() { return emulated(*info, args); };
      return interceptor_ ? interceptor_->answer(*info, args, emulate) : emulate();
    });
    return ended_if_exit(info, std::move(outcome));
  }

  Value emulated(const protocol::MethodInfo& info, const Array& args) {
    const Handler handler = Emulation::get().find(info.id);
    if (handler == nullptr)
      throw LuaError{fmt::format("mock-kong does not emulate {} yet", info.name)};
    return handler(state_, args);
  }

  // A call that ends the event (kong.response.exit) gets no answer.
  static CallOutcome ended_if_exit(const protocol::MethodInfo* info, CallOutcome outcome) {
    if (info && info->ends_event && outcome.kind == CallOutcome::Kind::answer)
      return {CallOutcome::Kind::ended, {}, {}};
    return outcome;
  }

  // A strict replay's call: answered as the transcript says Kong answered
  // it. The emulation runs it too, for what it changes in the request (an
  // exit's response), but its answer, or its error, gives way to Kong's.
  CallOutcome replay(Phase phase, std::string_view name, const protocol::MethodInfo* info,
                     Array args) {
    const TranscriptCall* entry = player_->next(phase, name, args);
    if (info)
      state_.exercised.set(static_cast<std::size_t>(info->id));
    CallOutcome outcome = attempt(phase, name, args, [&]() -> Value {
      if (entry == nullptr) {
        const TranscriptDivergence& d = *player_->divergence();
        throw LuaError{fmt::format("not in the transcript: call {} is {}, the transcript has {}",
                                   d.index, d.actual, d.expected)};
      }
      if (info) {
        try {
          emulated(*info, args);
        } catch (const LuaError&) {  // Kong's recorded answer stands, emulated or not
        }
      }
      if (entry->error)
        throw LuaError{*entry->error};
      if (entry->answer) {
        Value answer = transcript_value(*entry->answer).value();  // checked at load
        // A body travels as MessagePack bin, as Kong sends it.
        if (info && info->result_is_bytes && answer.is_string())
          answer = Value(Bytes{answer.as_string()});
        return answer;
      }
      if (info && info->ends_event)
        return Value();
      throw LuaError{"the transcript has no answer from Kong to this call"};
    });
    return ended_if_exit(info, std::move(outcome));
  }

  // kong.response.exit in the stream subsystem is another function, with no
  // phase check (kong/pdk/response.lua).
  bool checks_phase(const protocol::MethodInfo& info) const {
    return !(info.id == protocol::MethodId::response_exit && state_.subsystem == "stream");
  }

  // A name Kong's bridge cannot resolve: Kong logs and answers nil
  // (protocol.md §3).
  CallOutcome not_found(Phase phase, std::string_view name) {
    state_.log.push_back({"err", fmt::format("could not find pdk method: {}", name), phase});
    run_.errors.push_back(fmt::format("{}: could not find pdk method: {}", to_string(phase), name));
    return {};
  }

  // Runs one call, traced. A Lua error inside it: Kong abandons the event,
  // and the error reaches the phase handler (a 500 before the response is
  // sent). The trace entry is written once the call is answered, the
  // arguments moved into it rather than copied.
  template <class Run>
  CallOutcome attempt(Phase phase, std::string_view name, Array& args, Run run) {
    try {
      Value result = run();
      state_.trace.push_back(
          TraceEntry{phase, std::string(name), Value(std::move(args)), result, {}});
      return {CallOutcome::Kind::answer, std::move(result), {}};
    } catch (const LuaError& e) {
      state_.trace.push_back(
          TraceEntry{phase, std::string(name), Value(std::move(args)), {}, e.message});
      pdk_call_failed_ = true;
      return {CallOutcome::Kind::failed, {}, fmt::format("{}: {}", name, e.message)};
    }
  }

  EventEnd::Kind fail(std::string error) {
    run_.errors.push_back(std::move(error));
    return EventEnd::Kind::failed;
  }

  KongState& state_;
  PluginSession* plugin_ = nullptr;
  CaseRun& run_;
  CallInterceptor* interceptor_;
  TranscriptPlayer* player_;
  bool per_plugin_;
  bool pdk_call_failed_ = false;
};

// The plugin entity the case's `scope` makes the plugin: attached to the
// case's route, service or consumer (by the ids Kong's router answers).
PluginSession::Entity plugin_entity(const std::string& scope, const Case& c, const KongState& s) {
  PluginSession::Entity entity;
  if (scope == "route" && s.route.is_object())
    entity.route_id = route_entity(s).value("id", "");
  else if (scope == "service" && s.service.is_object())
    entity.service_id = service_entity(s).value("id", "");
  else if (scope == "consumer" && c.consumer.is_object() && c.consumer.contains("id"))
    entity.consumer_id = c.consumer.value("id", "");
  return entity;
}

// A Lua error in ssl_certificate_by_lua ends the handshake (kong/init.lua,
// Kong.ssl_certificate has no pcall; lua-nginx-module's
// ngx_http_lua_ssl_cert_handler fails it): no request, no log phase.
void fail_handshake(KongState& s) {
  s.handshake_failed = true;
  s.exited = true;
  s.response.status = 0;
  s.response.headers = Headers{};
  s.response.body.clear();
  s.response.source.clear();
}

// The upstream answers; its status, headers and body become the client's
// response (runner/runloop.h merges them with the plugins' headers).
void proxy(const Case& c, KongState& s) {
  if (c.upstream) {
    s.upstream_response = *c.upstream;
  } else {  // an echo service
    UpstreamRequest sent = upstream_request(s);
    s.upstream_response.emplace();
    s.upstream_response->headers = sent.headers.lines();
    s.upstream_response->body = std::move(sent.body);
  }
  const FixtureUpstream& upstream = *s.upstream_response;
  if (c.subsystem == "stream") {
    // The upstream's bytes go back to the client; nothing closed the
    // session early, so its status is 200.
    s.response.status = 200;
  } else {
    s.response.status = upstream.status;
    merge_upstream_headers(s.response.headers, upstream.headers, s.buffered_proxying);
  }
  s.response.body = upstream.body;
  s.response.source = "service";
  s.proxied = true;
}

}  // namespace

std::string_view to_string(ServerFault::Kind kind) {
  switch (kind) {
    case ServerFault::Kind::crashed:
      return "crashed";
    case ServerFault::Kind::hung:
      return "hung";
    case ServerFault::Kind::violated:
      return "protocol violation";
  }
  return "?";
}

Result<CaseRun> run_case(const Case& c, PluginSession& plugin, CallInterceptor* interceptor) {
  CaseRun run;
  if (auto played = run_case(c, plugin, run, interceptor); !played)
    return played.error();
  return run;
}

Status run_case(const Case& c, PluginSession& plugin, CaseRun& run, CallInterceptor* interceptor,
                const KongState* start) {
  const ChainPlugin one[] = {{&plugin, c.scope}};
  return run_case(c, one, run, interceptor, start);
}

std::vector<const ChainPlugin*> in_kong_order(std::span<const ChainPlugin> chain) {
  std::vector<const ChainPlugin*> order;
  order.reserve(chain.size());
  for (const ChainPlugin& link : chain)
    order.push_back(&link);
  // kong/db/dao/plugins.lua, sort_by_handler_priority: priority descending,
  // equal non-zero priorities by name descending. Kong's sort is not stable,
  // so plugins both at 0 come in no order there: in the fixture's here.
  std::stable_sort(order.begin(), order.end(), [](const ChainPlugin* a, const ChainPlugin* b) {
    const int pa = a->session->info().priority;
    const int pb = b->session->info().priority;
    if (pa == pb && pa != 0)
      return a->session->info().name > b->session->info().name;
    return pa > pb;
  });
  return order;
}

Status run_case(const Case& c, std::span<const ChainPlugin> chain, CaseRun& run,
                CallInterceptor* interceptor, const KongState* start) {
  if (chain.empty())
    return Error{"a case needs a plugin to run"};
  for (const ChainPlugin& link : chain) {
    if (!link.session->down().empty())
      return Error{link.session->down()};
  }
  KongState& s = run.state;
  if (start) {
    s = *start;  // assigned member by member: strings and vectors keep their memory
    run.phases_run.clear();
    run.errors.clear();
    run.handler_failures.clear();
    run.fault.reset();
    run.divergence.reset();
    run.plugins.clear();
  } else if (auto state = initial_state(c, s); !state) {
    return state.error();
  }
  const std::vector<const ChainPlugin*> order = in_kong_order(chain);
  auto scope_of = [&](const ChainPlugin& link) -> const std::string& {
    return link.scope.empty() ? c.scope : link.scope;
  };
  // The case's own bound on every wait, whichever phase hangs.
  const PluginSession::CaseBound bound(*chain.front().session);
  const bool per_plugin = chain.size() > 1 || !c.expect.plugins.empty();
  for (const ChainPlugin* link : order) {
    PluginSession& plugin = *link->session;
    // A case's own configuration is the one plugin's (the loader refuses
    // it beside `plugins`).
    if (chain.size() == 1) {
      if (auto configured = plugin.use_config(c.config, c.path); !configured)
        return configured.error();
    }
    if (auto used = plugin.use_entity(plugin_entity(scope_of(*link), c, s)); !used)
      return used.error();
    for (const auto& warning : plugin.config_warnings())
      s.log.push_back({"warn", warning, s.phase, per_plugin ? plugin.info().name : ""});
  }
  if (!order.front()->session->plugin_id().empty())
    s.plugin_id = order.front()->session->plugin_id();
  std::optional<TranscriptPlayer> player;
  if (c.transcript)
    player.emplace(*c.transcript);
  EventRunner events(s, run, interceptor, player ? &*player : nullptr, per_plugin);
  auto any_handles = [&](Phase p) {
    return std::any_of(order.begin(), order.end(),
                       [p](const ChainPlugin* link) { return link->session->handles(p); });
  };
  // Runs a phase's handlers, plugin after plugin in Kong's order. Before the
  // response is sent, a PDK call that raised is Kong's 500 (its plugin
  // iterator answers kong.response.error(500) as an unexpected error,
  // kong/init.lua flush_delayed_response; in a stream session that call
  // refuses preread in turn, and stream-lua ends the session with an
  // error), and that or an exit ends the phase for the plugins after
  // (Kong's delayed_response in access). An error the plugin server
  // reports for its handler is only logged
  // (kong/runloop/plugin_servers/rpc/mp_rpc.lua handle_event): the request
  // goes on. certificate and rewrite run before any route is matched: only
  // plugins configured globally have them (kong-pdk-reference.md, "Phases").
  auto run_phase = [&](Phase p) {
    const bool before_response = p != Phase::log;
    const bool global_only = p == Phase::certificate || p == Phase::rewrite;
    for (const ChainPlugin* link : order) {
      if (before_response && s.exited)
        break;
      if (!link->session->handles(p) || (global_only && scope_of(*link) != "global"))
        continue;
      if (events.run(*link->session, p) == EventEnd::Kind::failed && events.pdk_call_failed() &&
          before_response)
        p == Phase::certificate ? fail_handshake(s) : fail_with_500(s);
    }
  };

  // A stream case is a TCP or TLS connection: preread, its collecting phase
  // (an exit there ends the session as in access), replaces rewrite to response.
  const bool stream = c.subsystem == "stream";
  if (s.url.scheme == "https")
    run_phase(Phase::certificate);
  if (s.handshake_failed)
    return Ok{};
  if (stream) {
    s.routed = true;
    run_phase(Phase::preread);
  } else {
    run_phase(Phase::rewrite);
    // The router has run: access sees the match ($upstream_*). An exit in
    // rewrite ended the request before it.
    if (!s.exited)
      access_before(s);
    // Collecting the plugins in access, Kong turns on buffered proxying for
    // one with a response handler; enable_buffering does the same.
    if (any_handles(Phase::response))
      s.buffered_proxying = true;
    run_phase(Phase::access);
    // An exit sends its response and turns buffering off again: no response phase.
    if (s.exited)
      s.buffered_proxying = false;
    else
      access_after(s);
  }
  if (!s.exited && balance(s))
    proxy(c, s);
  // Only buffered proxying has a response phase, after the whole upstream answer.
  if (!stream && s.buffered_proxying)
    run_phase(Phase::response);
  // log runs after the response is sent, from saved copies of request and
  // response; it runs after an exit too, for every plugin.
  // header_filter: the headers Kong adds to every response.
  if (!stream)
    header_filter(s);
  if (any_handles(Phase::log)) {
    s.phase = Phase::log;
    save_log_phase_copies(s);
    run_phase(Phase::log);
  }
  if (player) {
    player->finish();
    run.divergence = player->divergence();
  }
  return Ok{};
}

}  // namespace kong::mock
