// mock-kong --replay: the fixture's cases against a plugin server, reported
// as text and, when asked, JUnit, JSON and coverage.
#include "modes/replay.h"

#include <optional>

#include <fmt/format.h>

#include "kong/mock/case_runner.h"
#include "kong/mock/fixture_run.h"
#include "kong/mock/interrupt.h"
#include "kong/mock/kong_conf.h"
#include "kong/mock/reporter.h"

#include "report/report_file.h"

namespace kong::mock {

int replay(const ReplayOptions& options, std::FILE* out) {
  // A report that cannot be written says so before the cases run, not after.
  for (const auto& [file, what] : {std::pair{options.junit_file, "the JUnit report"},
                                   std::pair{options.json_file, "the JSON report"},
                                   std::pair{options.coverage_file, "the coverage file"}}) {
    if (file.empty())
      continue;
    if (auto writable = write_report_file(file, "", what); !writable)
      return cannot_run(writable.error().message);
  }
  on_interrupt([] { PluginSession::abandon_all(); });
  std::optional<KongConf> kong_conf;
  if (!options.kong_conf_file.empty()) {
    auto conf = load_kong_conf(options.kong_conf_file);
    if (!conf)
      return cannot_run(conf.error().message);
    kong_conf = std::move(conf).value();
  }
  auto run = open_fixture_run(options.fixture_file, options.cases, options.server, options.session,
                              kong_conf ? &*kong_conf : nullptr);
  if (!run)
    return cannot_run(run.error().message);
  PluginSession& session = *(*run)->session;
  const std::vector<ChainPlugin>& chain = (*run)->chain;

  std::vector<std::unique_ptr<Reporter>> reporters;
  reporters.push_back(text_reporter(out, options.verbose));
  if (!options.junit_file.empty())
    reporters.push_back(junit_reporter(options.junit_file));
  if (!options.json_file.empty())
    reporters.push_back(json_reporter(options.json_file));
  if (!options.coverage_file.empty())
    reporters.push_back(coverage_reporter(options.coverage_file));

  RunHeader header{session.info(), (*run)->fixture, (*run)->cases.size()};
  if (chain.size() > 1) {
    for (const ChainPlugin* link : in_kong_order(chain))
      header.chain.push_back(&link->session->info());
  }
  for (auto& r : reporters)
    r->begin(header);
  bool all_passed = true;
  for (const Case* c : (*run)->cases) {
    if (interrupted())
      break;
    // Kong starts again a server that ended, whether a case runs it or not.
    respawn_ended_servers(**run);
    const CaseResult result = run_and_check(*c, chain);
    // A signal during the case killed the server under it: no verdict.
    if (interrupted())
      break;
    all_passed = all_passed && result.passed();
    for (auto& r : reporters)
      r->case_done(*c, result);
  }
  if (interrupted())
    await_interrupt_exit();
  for (const auto& each : (*run)->sessions) {
    if (auto stopped = each->stop(); !stopped)
      std::fprintf(stderr, "mock-kong: %s\n", stopped.error().message.c_str());
  }
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
  auto cases = select_cases(*fixture, patterns);
  if (!cases)
    return cannot_run(cases.error().message);
  for (const Case* c : *cases)
    std::fprintf(out, "%s\n", c->name.c_str());
  return kAllPassed;
}

}  // namespace kong::mock
