// mock-kong --replay: the fixture's cases against a plugin server, reported
// as text and, when asked, JUnit, JSON and coverage.
#include "modes/replay.h"

#include <fmt/format.h>

#include "kong/mock/case_runner.h"
#include "kong/mock/interrupt.h"
#include "kong/mock/reporter.h"

namespace kong::mock {
namespace {

int cannot_run(const std::string& why) {
  std::fprintf(stderr, "mock-kong: %s\n", why.c_str());
  return kCannotRun;
}

// The cases the patterns select, in fixture order; an error when a pattern
// selects none, as a typo would otherwise run nothing and pass.
Result<std::vector<const Case*>> selected_cases(const Fixture& fixture,
                                                const std::vector<std::string>& patterns) {
  std::vector<const Case*> cases;
  for (const auto& c : fixture.cases) {
    if (case_selected(c.name, patterns))
      cases.push_back(&c);
  }
  for (const auto& p : patterns) {
    bool used = false;
    for (const auto& c : fixture.cases)
      used = used || case_selected(c.name, {p});
    if (!used)
      return Error{fmt::format("{}: no case matches --case {}", fixture.file, p)};
  }
  return cases;
}

}  // namespace

int replay(const ReplayOptions& options, std::FILE* out) {
  auto fixture = load_fixture(options.fixture_file);
  if (!fixture)
    return cannot_run(fixture.error().message);
  auto cases = selected_cases(*fixture, options.cases);
  if (!cases)
    return cannot_run(cases.error().message);

  on_interrupt([] { PluginSession::abandon_all(); });
  auto session = PluginSession::start(options.server, options.session);
  if (!session)
    return cannot_run(session.error().message);
  if (auto configured = (*session)->configure(fixture->config, fixture->file); !configured)
    return cannot_run(configured.error().message);

  std::vector<std::unique_ptr<Reporter>> reporters;
  reporters.push_back(text_reporter(out, options.verbose));
  if (!options.junit_file.empty())
    reporters.push_back(junit_reporter(options.junit_file));
  if (!options.json_file.empty())
    reporters.push_back(json_reporter(options.json_file));
  if (!options.coverage_file.empty())
    reporters.push_back(coverage_reporter(options.coverage_file));

  const RunHeader header{(*session)->info(), *fixture, cases->size()};
  for (auto& r : reporters)
    r->begin(header);
  bool all_passed = true;
  for (const Case* c : *cases) {
    const CaseResult result = run_and_check(*c, **session);
    all_passed = all_passed && result.passed();
    for (auto& r : reporters)
      r->case_done(*c, result);
  }
  if (auto stopped = (*session)->stop(); !stopped)
    std::fprintf(stderr, "mock-kong: %s\n", stopped.error().message.c_str());
  int status = all_passed ? kAllPassed : kSomeFailed;
  for (auto& r : reporters) {
    if (auto written = r->end(); !written)
      status = cannot_run(written.error().message);
  }
  return status;
}

int list_cases(const std::string& fixture_file, const std::vector<std::string>& patterns,
               std::FILE* out) {
  auto fixture = load_fixture(fixture_file);
  if (!fixture)
    return cannot_run(fixture.error().message);
  auto cases = selected_cases(*fixture, patterns);
  if (!cases)
    return cannot_run(cases.error().message);
  for (const Case* c : *cases)
    std::fprintf(out, "%s\n", c->name.c_str());
  return kAllPassed;
}

}  // namespace kong::mock
