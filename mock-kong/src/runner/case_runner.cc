#include "kong/mock/case_runner.h"

#include <fnmatch.h>

#include "kong/mock/session.h"

namespace kong::mock {

CaseResult run_and_check(const Case& c, PluginSession& session, CallInterceptor* interceptor) {
  CaseResult result;
  result.name = c.name;
  result.path = c.path;
  session.take_output();  // what came before belongs to no case
  const auto start = std::chrono::steady_clock::now();
  auto run = run_case(c, session, interceptor);
  result.time = std::chrono::steady_clock::now() - start;
  if (run) {
    result.mismatches = check_expectations(c.expect, *run);
    result.run = std::move(run).value();
  } else {
    result.mismatches.push_back({c.path, "a runnable case", run.error().message});
  }
  result.output = session.take_output();
  return result;
}

bool case_selected(const std::string& name, const std::vector<std::string>& patterns) {
  if (patterns.empty())
    return true;
  for (const auto& p : patterns) {
    // A name that holds glob characters still selects itself exactly.
    if (p == name || ::fnmatch(p.c_str(), name.c_str(), 0) == 0)
      return true;
  }
  return false;
}

}  // namespace kong::mock
