#include "kong/mock/case_runner.h"

#include <fnmatch.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "kong/mock/session.h"

namespace kong::mock {

namespace {

// The one case runner. `result` is fresh, or with `start` an earlier result
// whose memory is used again.
void play_and_check(const Case& c, std::span<const ChainPlugin> chain, CaseResult& result,
                    CallInterceptor* interceptor, const KongState* start) {
  result.name = c.name;
  result.path = c.path;
  result.mismatches.clear();
  for (const ChainPlugin& link : chain)
    link.session->take_output();  // what came before belongs to no case
  const auto began = std::chrono::steady_clock::now();
  CaseRun& run = result.run ? *result.run : result.run.emplace();
  auto played = run_case(c, chain, run, interceptor, start);
  result.time = std::chrono::steady_clock::now() - began;
  if (!played) {
    result.run.reset();
    result.mismatches.push_back({c.path, "a runnable case", played.error().message});
  } else if (run.fault) {
    // What the case would show after the fault is noise: the fault alone.
    result.mismatches.push_back({"plugin server", "", run.fault->message});
  } else if (const auto& d = run.divergence) {
    // The calls after it were refused: what they changed is noise too.
    result.mismatches.push_back({fmt::format("transcript[{}]", d->index), d->expected, d->actual});
  } else {
    result.mismatches = check_expectations(c.expect, run);
  }
  result.output.clear();
  for (const ChainPlugin& link : chain) {
    auto lines = link.session->take_output();
    result.output.insert(result.output.end(), std::make_move_iterator(lines.begin()),
                         std::make_move_iterator(lines.end()));
  }
}

}  // namespace

CaseResult run_and_check(const Case& c, PluginSession& session, CallInterceptor* interceptor) {
  const ChainPlugin one[] = {{&session, c.scope}};
  return run_and_check(c, one, interceptor);
}

CaseResult run_and_check(const Case& c, std::span<const ChainPlugin> chain,
                         CallInterceptor* interceptor) {
  CaseResult result;
  play_and_check(c, chain, result, interceptor, nullptr);
  return result;
}

void run_and_check(const Case& c, PluginSession& session, const KongState& start,
                   CaseResult& result) {
  const ChainPlugin one[] = {{&session, c.scope}};
  play_and_check(c, one, result, nullptr, &start);
}

bool case_selected(const std::string& name, const std::vector<std::string>& patterns) {
  if (patterns.empty())
    return true;
  for (const auto& p : patterns) {
    if (p == name || ::fnmatch(p.c_str(), name.c_str(), 0) == 0)
      return true;
  }
  return false;
}

Result<std::vector<const Case*>> select_cases(const Fixture& fixture,
                                              const std::vector<std::string>& patterns) {
  // A pattern that is some case's exact name selects that case only, so a
  // name holding glob characters ("returns [403]") picks itself.
  std::vector<std::string> globs;
  std::set<std::string_view> exact;
  for (const auto& p : patterns) {
    const bool is_name = std::any_of(fixture.cases.begin(), fixture.cases.end(),
                                     [&](const Case& c) { return c.name == p; });
    if (is_name)
      exact.insert(p);
    else
      globs.push_back(p);
  }
  for (const auto& g : globs) {
    if (std::none_of(fixture.cases.begin(), fixture.cases.end(),
                     [&](const Case& c) { return case_selected(c.name, {g}); }))
      return Error{fmt::format("{}: no case matches --case {}", fixture.file, g)};
  }
  std::vector<const Case*> cases;
  for (const auto& c : fixture.cases) {
    if (patterns.empty() || exact.contains(c.name) ||
        (!globs.empty() && case_selected(c.name, globs)))
      cases.push_back(&c);
  }
  return cases;
}

}  // namespace kong::mock
