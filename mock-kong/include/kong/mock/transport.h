#pragma once

#include <chrono>
#include <string>

namespace kong::mock {

using Clock = std::chrono::steady_clock;

/// When a wait on the plugin server gives up, and what to say then: a
/// call's own bound, or its case's when that comes first.
struct Deadline {
  Clock::time_point at;
  /// Ends the timeout message: "no answer within <why>".
  std::string why;

  /// The earlier of `now + call_timeout` and the bound of the case running
  /// (PluginSession::CaseBound), if any.
  static Deadline for_call(std::chrono::milliseconds call_timeout);
};

/// Why a connection to the plugin server stopped serving: what Kong's
/// cosocket would have reported, for the session to tell a crash from a
/// hang from a protocol violation.
enum class ConnectionFault {
  none,
  closed,     // the server closed or reset it, or was gone when written to
  timed_out,  // nothing before the deadline
  failed,     // another socket error
  garbled,    // bytes that do not decode as the protocol's messages
};

}  // namespace kong::mock
