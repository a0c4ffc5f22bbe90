// What counts as a bug when a plugin gets a request nobody wrote down: Kong
// would log it, return its 500, or lose the plugin server.
#include "fuzz/finding.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

namespace kong::mock {
namespace {

constexpr std::string_view kNotFound = "could not find pdk method: ";

constexpr std::string_view kBeforeCalls = "its first PDK call";
constexpr std::size_t kMaxMessage = 400;

// Where a handler was: the call it made last. Errors are no key: the same
// bug words its error after the input ("column 7", "last read: ...").
std::string after(const std::string& last_call) {
  return last_call.empty() ? std::string(kBeforeCalls) : last_call;
}

// A message short enough to read: an error may quote a megabyte of input.
std::string brief(std::string message) {
  if (message.size() > kMaxMessage)
    message = message.substr(0, kMaxMessage) + "...";
  return message;
}

Finding from_fault(const ServerFault& fault) {
  Finding f;
  f.kind = fault.kind == ServerFault::Kind::crashed ? Finding::Kind::crash
           : fault.kind == ServerFault::Kind::hung  ? Finding::Kind::hang
                                                    : Finding::Kind::protocol_violation;
  f.phase = std::string(to_string(fault.phase));
  f.where = after(fault.last_call);
  f.message = "the plugin server " + fault.message;
  return f;
}

}  // namespace

std::string_view to_string(Finding::Kind kind) {
  switch (kind) {
    case Finding::Kind::crash:
      return "crash";
    case Finding::Kind::hang:
      return "hang";
    case Finding::Kind::protocol_violation:
      return "protocol violation";
    case Finding::Kind::handler_failure:
      return "handler failure";
    case Finding::Kind::refused_call:
      return "refused call";
    case Finding::Kind::invariant:
      return "invariant";
  }
  return "finding";
}

std::string Finding::key() const {
  return fmt::format("{}|{}|{}", to_string(kind), phase, where);
}

std::string file_stem(std::string_view title) {
  std::string stem;
  for (char ch : title) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || ch == '.')
      stem.push_back(static_cast<char>(std::tolower(c)));
    else if (!stem.empty() && stem.back() != '-')
      stem.push_back('-');
  }
  stem.resize(std::min<std::size_t>(stem.size(), 80));
  while (!stem.empty() && stem.back() == '-')
    stem.pop_back();
  return stem.empty() ? "finding" : stem;
}

std::string Finding::title() const {
  switch (kind) {
    case Kind::crash:
    case Kind::hang:
    case Kind::protocol_violation:
    case Kind::handler_failure:
      return fmt::format("{} in {} {} {}", to_string(kind), phase,
                         where == kBeforeCalls ? "before" : "after", where);
    case Kind::refused_call:
      return fmt::format("{} refused in {}", where, phase);
    case Kind::invariant:
      return "invariant " + where + " broken";
  }
  return message;
}

std::vector<Finding> findings_of(const CaseResult& result, bool allow_errors) {
  std::vector<Finding> out;
  if (!result.run)
    return out;
  const CaseRun& run = *result.run;
  if (run.fault) {
    out.push_back(from_fault(*run.fault));
    return out;  // what follows a fault is noise
  }
  // Each refused function once per case, with Kong's error.
  std::set<std::string> refused;
  for (const auto& entry : run.state.trace) {
    if (entry.error.empty() || !refused.insert(entry.method).second)
      continue;
    out.push_back({Finding::Kind::refused_call, std::string(to_string(entry.phase)), entry.method,
                   brief(fmt::format("Kong refused {} in the {} phase: {}", entry.method,
                                     to_string(entry.phase), entry.error))});
  }
  for (const auto& error : run.errors) {
    const auto at = error.find(kNotFound);
    if (at == std::string::npos)
      continue;
    const std::string name = error.substr(at + kNotFound.size());
    if (refused.insert(name).second) {
      out.push_back({Finding::Kind::refused_call, error.substr(0, error.find(':')), name,
                     "Kong has no PDK function " + name + ": " + error});
    }
  }
  if (!allow_errors) {
    for (const auto& failure : run.handler_failures) {
      if (failure.by_refused_call)
        continue;  // the refused call is the finding
      out.push_back({Finding::Kind::handler_failure, std::string(to_string(failure.phase)),
                     after(failure.last_call),
                     brief(fmt::format("Kong answers 500: {}", failure.error))});
    }
  }
  for (const auto& m : result.mismatches) {
    if (!m.path.starts_with("fuzz.invariants."))
      continue;
    out.push_back({Finding::Kind::invariant, "", m.path.substr(16), to_string(m)});
  }
  return out;
}

}  // namespace kong::mock
