#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/mock/fixture.h"
#include "kong/protocol/phase.h"
#include "kong/protocol/value.h"

namespace kong::mock {

/// One PDK call seen passing, with Kong's answer once it passed.
struct RecordedCall {
  Phase phase = Phase::access;
  std::string method;
  protocol::Value args;
  std::optional<protocol::Value> answer;
  /// The event ended with the call unanswered, and the call does not end
  /// events: Kong raised an error in it (which never travels).
  bool abandoned = false;
};

/// One request lifecycle of one plugin instance as it passed: its events'
/// phases, its calls, what failed.
struct RecordedLifecycle {
  /// 1 for the recording's first lifecycle, and so on.
  std::size_t number = 0;
  std::int64_t instance = 0;
  /// The instance's configuration, as Kong sent it (with Kong's keys).
  nlohmann::json config;
  std::vector<Phase> phases;
  std::vector<RecordedCall> calls;
  /// What Kong logs as errors, as mock-kong words them in a replay.
  std::vector<std::string> errors;
  /// An event of it is under way.
  bool running = false;
  /// A call ended the request (kong.response.exit, kong.response.error).
  bool exited = false;
};

/// The error a call Kong left unanswered gets in the transcript: the Lua
/// error Kong raised never travels.
inline constexpr std::string_view kAbandonedCall =
    "raised an error in Kong (the recording shows no answer)";

/// What a recording makes of a lifecycle: a fixture case.
struct RecordedCaseOptions {
  /// Header names (any case) whose values the case hides.
  std::vector<std::string> redact_headers;
};

/// The value a redacted header's value is replaced with in answers and
/// request facts; in a call's arguments it is {"$redacted": true}, which a
/// strict replay takes as matching any value.
inline constexpr const char* kRedacted = "[redacted]";

/// The lifecycle as a case: its transcript; the request facts Kong's
/// answers revealed (method, URL, headers, body, client, route, service,
/// consumer, credential, the upstream's answer); its scope, from the
/// entity ids Kong put in the configuration; its phases, errors and an
/// exit's status as expectations. Named "#N METHOD PATH".
Case recorded_case(const RecordedLifecycle& lifecycle, const RecordedCaseOptions& options);

/// The configuration as a fixture gives it: without Kong's own keys
/// (__plugin_id, __key__, __seq__, __ws_id, route_id, service_id,
/// consumer_id, plugin_instance_name).
nlohmann::json fixture_config(const nlohmann::json& kong_config);

}  // namespace kong::mock
