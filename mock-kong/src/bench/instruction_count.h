#pragma once

#include <cstdint>
#include <string>

#include "kong/mock/session.h"
#include "kong/result.h"

namespace kong::mock {

/// Whether --instructions can count here: an error saying how to get
/// Valgrind when it is not on PATH.
Status instructions_countable();

/// What --instructions measured for one case.
struct InstructionCount {
  /// Instructions the plugin server executed per event.
  double per_event = 0;
  /// The totals of the two runs, start-up and shutdown included, and their
  /// events.
  std::uint64_t short_total = 0;
  std::uint64_t long_total = 0;
  std::uint64_t short_events = 0;
  std::uint64_t long_events = 0;
};

/// Counts the instructions the plugin server executes per event of case
/// `case_name` with Valgrind (cachegrind without its cache simulation, all
/// the server's processes): the server runs under it twice, once for
/// `short_events` events of the case and once for `long_events`, one event
/// at a time, and the difference of the totals over the difference of the
/// events leaves start-up, configuration and shutdown out. Every answer is
/// checked as in any run. What would make the count depend on time or
/// chance is turned off: the C++ PDK's busy-poll (KONG_PDK_BUSY_POLL_US=0),
/// Python's string hashing (PYTHONHASHSEED=0).
/// The error says why it could not count (no valgrind, a wrong answer,
/// no counts written).
Result<InstructionCount> count_instructions(const std::string& fixture_file,
                                            const std::string& case_name,
                                            const ServerCommand& server, SessionOptions session,
                                            std::uint64_t short_events, std::uint64_t long_events);

}  // namespace kong::mock
