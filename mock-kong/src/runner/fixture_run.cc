#include "kong/mock/fixture_run.h"

#include "kong/mock/case_runner.h"

#include "emulation/emulation.h"

namespace kong::mock {

Result<std::unique_ptr<FixtureRun>> open_fixture_run(const std::string& fixture_file,
                                                     const std::vector<std::string>& patterns,
                                                     const ServerCommand& server,
                                                     const SessionOptions& options) {
  auto fixture = load_fixture(fixture_file);
  if (!fixture)
    return fixture.error();
  // On the heap, so that `cases` keeps pointing into it.
  auto run = std::make_unique<FixtureRun>();
  run->fixture = std::move(fixture).value();
  auto cases = select_cases(run->fixture, patterns);
  if (!cases)
    return cases.error();
  run->cases = std::move(cases).value();
  auto session = PluginSession::start(server, options);
  if (!session)
    return session.error();
  run->session = std::move(session).value();
  // Kong resolves the configuration's vault references from its vaults: the
  // fixture's `vault`.
  const KongSettings& kong = *run->fixture.kong;
  auto resolve = [&kong](const std::string& reference, std::string& error) {
    return resolve_vault_reference(kong, reference, error);
  };
  if (auto configured = run->session->configure(run->fixture.config, run->fixture.file, resolve);
      !configured)
    return configured.error();
  return run;
}

}  // namespace kong::mock
