#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kong/mock/fixture.h"
#include "kong/mock/kong_state.h"
#include "kong/protocol/method_table.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

namespace kong::mock {

class PluginSession;

/// Answers chosen PDK calls in place of the emulation: kong::testing's
/// GoogleMock. Kong's phase check and the trace still apply.
class CallInterceptor {
 public:
  virtual ~CallInterceptor() = default;
  /// Kong's answer to `method` called with `args`. `emulate` gives the
  /// emulation's (it may throw LuaError); so may the interceptor.
  virtual protocol::Value answer(const protocol::MethodInfo& method, const protocol::Array& args,
                                 const std::function<protocol::Value()>& emulate) = 0;
};

/// A plugin server failure that ends its case: the server crashed, hung, or
/// broke the protocol. What the case would show after it is noise.
struct ServerFault {
  enum class Kind { crashed, hung, violated } kind = Kind::crashed;
  Phase phase = Phase::access;
  /// PDK calls Kong answered in the phase before the fault; the handler was
  /// running after the last of them (empty before the first).
  std::size_t calls = 0;
  std::string last_call;
  /// The whole report, to follow "the plugin server ": what happened, where,
  /// what mock-kong did about it, then the server's last output lines.
  std::string message;
};

/// "crashed", "hung", "protocol violation".
std::string_view to_string(ServerFault::Kind kind);

/// A phase handler that failed (Kong's 500 before the response is sent).
struct HandlerFailure {
  Phase phase = Phase::access;
  /// What Kong logs: the plugin server's error, or the refused PDK call's.
  std::string error;
  /// The failure came from a PDK call Kong refused (its trace entry holds
  /// the error), not from the handler itself.
  bool by_refused_call = false;
  /// The PDK call the handler failed after; empty before its first.
  std::string last_call;
};

/// Where a strict replay left the case's transcript (Case::transcript): the
/// first call that differed from it.
struct TranscriptDivergence {
  /// The call's index in the lifecycle, and so in the transcript.
  std::size_t index = 0;
  /// The transcript's entry at that index, or why there is none.
  std::string expected;
  /// The call the plugin made, or why there is none.
  std::string actual;
};

/// What one plugin of several did in a case.
struct PluginRun {
  /// Phases whose handler of the plugin ran, in order.
  std::vector<std::string> phases_run;
  /// What Kong would log as errors for it.
  std::vector<std::string> errors;
};

/// What happened to one case.
struct CaseRun {
  KongState state;
  /// Phases whose handler ran, in order.
  std::vector<std::string> phases_run;
  /// What Kong would log as errors: a PDK call Kong refused (with Kong's
  /// text), a handler that failed, a protocol violation.
  std::vector<std::string> errors;
  /// The handlers among them that failed, by phase.
  std::vector<HandlerFailure> handler_failures;
  /// Set when the plugin server failed: the case stopped there, and the
  /// session started the server again for the next one.
  std::optional<ServerFault> fault;
  /// Set when the case has a transcript and the plugin's calls left it.
  std::optional<TranscriptDivergence> divergence;
  /// With several plugins (or expectations per plugin): each one's, by
  /// name. Their log lines and PDK calls carry their names in `state`.
  std::map<std::string, PluginRun> plugins;
};

/// One plugin of the chain a case runs: its session, configured with the
/// plugin's configuration, and how the plugin is configured ("global",
/// "route", "service", "consumer"; the case's own `scope` when empty).
struct ChainPlugin {
  PluginSession* session = nullptr;
  std::string scope;
};

/// `chain` in the order Kong runs it: priority (the dump's) descending,
/// equal non-zero priorities by name descending (kong/db/dao/plugins.lua,
/// sort_by_handler_priority); plugins of equal priority 0 as given.
std::vector<const ChainPlugin*> in_kong_order(std::span<const ChainPlugin> chain);

/// Plays one case through Kong's http lifecycle (protocol.md §2) on the
/// session's configured instance: certificate (https) and rewrite for a
/// globally configured plugin (`Case::scope`), access, the proxied request,
/// response (only with buffered proxying: a response handler or
/// enable_buffering), log; only the phases the plugin handles.
/// kong.response.exit/error end the request early, and log still runs.
/// `interceptor`, when given, answers PDK calls before the emulation does.
/// A case with a transcript is answered from it instead (a strict replay):
/// the emulation still runs each call for what it changes in the request,
/// and the first call that differs ends the case's calls (`divergence`).
/// Fails only when the case itself is unusable.
Result<CaseRun> run_case(const Case& c, PluginSession& plugin,
                         CallInterceptor* interceptor = nullptr);
/// The same, into `run`. With `start`, the case's initial state as
/// initial_state(c) gave it, `run` may hold an earlier run (of any case):
/// it is overwritten, its memory used again. What every event of --bench
/// does, so that playing a case over and over neither parses it again nor
/// allocates its state anew. Without `start`, `run` must be fresh.
Status run_case(const Case& c, PluginSession& plugin, CaseRun& run,
                CallInterceptor* interceptor = nullptr, const KongState* start = nullptr);
/// The same for several plugins on the request, as Kong runs them
/// (docs/fixtures.md, "Several plugins"): each phase's handlers in Kong's
/// order, one request state, kong.ctx.shared and response for all; an exit
/// or a Kong 500 before the response skips the handlers after it in that
/// phase (Kong's delayed_response); response runs when any plugin has a
/// response handler; log runs for every plugin.
Status run_case(const Case& c, std::span<const ChainPlugin> chain, CaseRun& run,
                CallInterceptor* interceptor = nullptr, const KongState* start = nullptr);

}  // namespace kong::mock
