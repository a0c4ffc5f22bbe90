#include "kong/testing/replay.h"

#include "kong/mock/fixture_run.h"

namespace kong::testing {

bool ReplayResult::passed() const {
  if (!ran())
    return false;
  for (const auto& c : cases) {
    if (!c.passed())
      return false;
  }
  return true;
}

ReplayResult replay(const std::string& fixture_file, const mock::ServerCommand& server,
                    const ReplayOptions& options) {
  ReplayResult result;
  auto run = mock::open_fixture_run(fixture_file, options.cases, server, options.session);
  if (!run) {
    result.error = run.error().message;
    return result;
  }
  result.plugin = (*run)->session->info();
  for (const mock::Case* c : (*run)->cases)
    result.cases.push_back(mock::run_and_check(*c, *(*run)->session));
  return result;
}

ReplayResult replay(const std::string& fixture_file, std::vector<std::string> plugin_command,
                    const ReplayOptions& options) {
  mock::ServerCommand server;
  server.plugin = std::move(plugin_command);
  return replay(fixture_file, server, options);
}

}  // namespace kong::testing
