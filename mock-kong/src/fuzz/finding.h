#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kong/mock/case_runner.h"

namespace kong::mock {

/// One bug a fuzzed case showed in the plugin.
struct Finding {
  enum class Kind {
    crash,               // the server died (a signal or an exit)
    hang,                // the server stopped answering
    protocol_violation,  // an undecodable or ill-typed message
    handler_failure,     // a handler failed: Kong's 500
    refused_call,        // a PDK call Kong refuses (wrong phase, bad argument, unknown)
    invariant,           // a fuzz.invariants entry of the fixture broken
  };
  Kind kind = Kind::crash;
  /// The phase it happened in; empty for an invariant.
  std::string phase;
  /// What tells it apart from other findings of its kind and phase: the PDK
  /// call the handler ran after (crash, hang, violation, failure), the
  /// refused function, the invariant.
  std::string where;
  /// The whole report, as --replay would print it.
  std::string message;

  /// Findings with the same key are the same bug.
  std::string key() const;
  /// "crash in access after kong.request.get_header": a title and file name.
  std::string title() const;
};

/// A file name from a finding's title: lower case, [a-z0-9.-] only, at
/// most 80 characters; "finding" when nothing is left.
std::string file_stem(std::string_view title);

/// "crash", "hang", "protocol violation", ...
std::string_view to_string(Finding::Kind kind);

/// The findings a case's result shows. A handler failure is one only
/// without `allow_errors`; a refused call always is.
std::vector<Finding> findings_of(const CaseResult& result, bool allow_errors);

}  // namespace kong::mock
