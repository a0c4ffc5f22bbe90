#include "kong/mock/fixture_run.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "kong/mock/case_runner.h"

#include "emulation/emulation.h"

namespace kong::mock {
namespace {

// kong.conf's servers, each started as Kong starts it: its commands, its
// socket, in Kong's prefix, its output under its name.
Status start_servers(const KongConf& conf, const SessionOptions& options, FixtureRun& run) {
  if (conf.plugin_servers.empty())
    return Error{"kong.conf names no plugin server (pluginserver_names)"};
  for (const PluginServerConf& server : conf.plugin_servers) {
    if (!server.start_command) {
      // Kong's own warning, and its reading: the server is started by
      // something else, and connected to where kong.conf says.
      std::fprintf(stderr,
                   "mock-kong: start_command undefined for pluginserver %s; assuming external "
                   "process management (connecting to %s)\n",
                   server.name.c_str(), server.socket.c_str());
    }
    ServerCommand command;
    command.query_cmd = server.query_command;
    command.start_cmd = server.start_command;
    command.socket = server.socket;
    command.name = server.name;
    command.prefix = conf.prefix;
    auto session = PluginSession::start(std::move(command), options);
    if (!session)
      return Error{fmt::format("plugin server {}: {}", server.name, session.error().message)};
    run.sessions.push_back(std::move(session).value());
  }
  return Ok{};
}

// The session whose plugin is `name`; the error lists what there is.
Result<PluginSession*> serving(FixtureRun& run, const std::string& name) {
  std::string served;
  for (const auto& session : run.sessions) {
    if (session->info().name == name)
      return session.get();
    served += fmt::format("{}{} (server {})", served.empty() ? "" : ", ", session->info().name,
                          session->server_name());
  }
  return Error{fmt::format("plugin {}: no plugin server serves it; they serve {}", name, served)};
}

}  // namespace

Result<std::unique_ptr<FixtureRun>> open_fixture_run(const std::string& fixture_file,
                                                     const std::vector<std::string>& patterns,
                                                     const ServerCommand& server,
                                                     const SessionOptions& options,
                                                     const KongConf* kong_conf) {
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
  const std::vector<FixturePlugin>& plugins = run->fixture.plugins;

  if (kong_conf) {
    if (auto started = start_servers(*kong_conf, options, *run); !started)
      return started.error();
    if (plugins.empty() && run->sessions.size() > 1) {
      return Error{fmt::format(
          "{}: kong.conf starts {} plugin servers: name the plugins the cases run (plugins)",
          run->fixture.file, run->sessions.size())};
    }
  } else {
    auto session = PluginSession::start(server, options);
    if (!session)
      return session.error();
    run->sessions.push_back(std::move(session).value());
    if (plugins.size() > 1) {
      return Error{
          fmt::format("{}: the fixture names {} plugins: give their servers with --kong-conf",
                      run->fixture.file, plugins.size())};
    }
  }

  // Kong resolves the configuration's vault references from its vaults: the
  // fixture's `vault`.
  const KongSettings& kong = *run->fixture.kong;
  auto resolve = [&kong](const std::string& reference, std::string& error) {
    return resolve_vault_reference(kong, reference, error);
  };
  const std::string& file = run->fixture.file;
  if (plugins.empty()) {
    PluginSession& only = *run->sessions.front();
    if (auto configured = only.configure(run->fixture.config, file, resolve); !configured)
      return configured.error();
    run->chain.push_back({&only, ""});
  }
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    const FixturePlugin& plugin = plugins[i];
    const std::string at = fmt::format("{}: plugins[{}]", file, i);
    auto session = serving(*run, plugin.name);
    if (!session)
      return Error{at + ": " + session.error().message};
    // Kong loads only the plugins kong.conf lists; an external one is
    // never `bundled`.
    if (kong_conf && std::find(kong_conf->plugins.begin(), kong_conf->plugins.end(), plugin.name) ==
                         kong_conf->plugins.end()) {
      return Error{fmt::format("{}: kong.conf's plugins does not list {}, so Kong does not load it",
                               at, plugin.name)};
    }
    if (auto configured = (*session)->configure(plugin.config, at, resolve); !configured)
      return configured.error();
    run->chain.push_back({*session, plugin.scope});
  }
  run->session = run->chain.front().session;
  return run;
}

void respawn_ended_servers(FixtureRun& run) {
  for (const auto& session : run.sessions) {
    auto how = session->how_server_ended();
    if (!how)
      continue;
    auto restarted = session->restart();
    std::fprintf(stderr, "mock-kong: plugin server %s %s; %s\n", session->server_name().c_str(),
                 how->c_str(), restarted ? "started again" : restarted.error().message.c_str());
  }
}

}  // namespace kong::mock
