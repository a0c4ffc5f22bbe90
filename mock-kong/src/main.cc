// mock-kong: a stand-in for Kong that replays fixtures against a plugin server.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "replay.h"

int main(int argc, char** argv) {
  kong::mock::ReplayOptions options;
  int start_timeout_ms = 10000;
  int call_timeout_ms = 10000;

  CLI::App app{
      "mock-kong: plays recorded request lifecycles against a Kong plugin server over its socket,\n"
      "answering PDK calls as Kong would, and checks the outcome against the fixture."};
  app.add_option("--replay", options.fixture_file, "Fixture file to replay")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--query-cmd", options.query_cmd,
                 "Command that prints the plugin info (Kong's pluginserver_<name>_query_cmd); "
                 "$KONG_PREFIX is the private prefix");
  app.add_option("--start-cmd", options.start_cmd,
                 "Command that starts the server (Kong's pluginserver_<name>_start_cmd)");
  app.add_option(
      "--socket", options.socket,
      "Socket the server listens on (Kong's pluginserver_<name>_socket); relative to the prefix");
  app.add_option("--start-timeout", start_timeout_ms,
                 "Milliseconds to wait for the server's socket")
      ->capture_default_str();
  app.add_option("--call-timeout", call_timeout_ms, "Milliseconds to wait for each answer")
      ->capture_default_str();
  app.add_flag("-v,--verbose", options.verbose, "Print every PDK call and Kong's answer");
  app.add_option("--coverage", options.coverage_file,
                 "Write the PDK functions that passing cases called to this file (JSON array)");
  // PLUGIN [ARGS...]: everything from the first positional on belongs to the
  // plugin command, dashes included.
  app.prefix_command();
  app.footer(
      "PLUGIN [ARGS...]  plugin server executable and its arguments, after the options\n"
      "                  (Go conventions: PLUGIN -dump, PLUGIN -kong-prefix DIR)");
  CLI11_PARSE(app, argc, argv);
  options.plugin_command = app.remaining();

  // Case lines interleave with the plugin's relayed output: keep them in order.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  options.start_timeout = std::chrono::milliseconds(start_timeout_ms);
  options.call_timeout = std::chrono::milliseconds(call_timeout_ms);
  return kong::mock::replay(options);
}
