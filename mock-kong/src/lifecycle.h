#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kong/mock/fixture.h"
#include "kong/protocol/phase.h"
#include "kong/result.h"

#include "kong_state.h"
#include "plugin_client.h"

namespace kong::mock {

/// The plugin instance the cases run against.
struct PluginSession {
  /// Kong's side of the plugin's protocol (its dump's "Protocol").
  PluginClient* client = nullptr;
  std::int64_t instance_id = 0;
  /// Phases the plugin handles (its dump's "Phases").
  std::vector<Phase> phases;
  /// Starts a fresh instance and returns its id: Kong does this when the
  /// server lost the instance (it restarted), then runs the event again.
  std::function<Result<std::int64_t>()> restart_instance;
  /// The configuration's __plugin_id (kong.plugin.get_id); empty: the state's default.
  std::string plugin_id;
};

/// What happened to one case.
struct CaseRun {
  KongState state;
  /// Phases whose handler ran, in order.
  std::vector<std::string> phases_run;
  /// What Kong would log as errors: a PDK call Kong refused (with Kong's
  /// text), a handler that failed, a protocol violation.
  std::vector<std::string> errors;
};

/// Plays one case through Kong's http lifecycle (protocol.md §2): certificate
/// (https) and rewrite for a globally configured plugin (`Case::scope`),
/// access, the proxied request, response (only with buffered proxying: a
/// response handler or enable_buffering), log; only the phases the plugin
/// handles. kong.response.exit/error end the request early, and log still
/// runs. Fails only when the case itself is unusable.
Result<CaseRun> run_case(const Case& c, PluginSession& plugin);

}  // namespace kong::mock
