// mock-kong: a stand-in for Kong that drives plugin servers over their
// socket. This file only parses flags; each mode lives in modes/.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/did_you_mean.h"
#include "modes/bench.h"
#include "modes/from_har.h"
#include "modes/fuzz.h"
#include "modes/fuzz_wire.h"
#include "modes/new_repository.h"
#include "modes/record.h"
#include "modes/replay.h"

namespace {

using namespace kong::mock;

// Every error of the command line exits with the status of a run that could
// not start (CLI11's own codes are above 100).
int usage_error(const std::string& message, const std::string& hint = "") {
  std::fprintf(stderr, "mock-kong: %s%s\nRun mock-kong --help for the options.\n", message.c_str(),
               hint.c_str());
  return kCannotRun;
}

// The long names of `app`'s options, for suggestions.
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& name : o->get_lnames())
      names.push_back("--" + name);
  }
  return names;
}

std::string suggestion(const std::string& typed, const CLI::App& app) {
  const std::string name = typed.substr(0, typed.find('='));
  if (auto close = closest_match(name, option_names(app)))
    return "; did you mean " + *close + "?";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  ReplayOptions replay;
  bool list = false;
  int start_timeout_ms = 10000;
  int call_timeout_ms = 10000;
  int case_timeout_ms = 30000;
  FuzzOptions fuzz;
  std::uint64_t seed = 0;
  std::uint64_t runs = 0;
  double duration_s = 0;
  BenchOptions bench;
  RecordOptions record;
  FromHarOptions har;
  std::string kong_prefix;
  std::uint64_t bench_events = 0;
  double warmup_s = 1;
  double rate = 0;

  CLI::App app{
      "mock-kong: plays recorded request lifecycles against a Kong plugin server over its socket,\n"
      "answering PDK calls as Kong would, and checks the outcome against the fixture.\n"
      "  mock-kong --replay FIXTURE [OPTIONS] PLUGIN [ARGS...]\n"
      "  mock-kong --replay FIXTURE [OPTIONS] --query-cmd CMD --start-cmd CMD [--socket PATH]\n"
      "  mock-kong --replay FIXTURE [OPTIONS] --kong-conf KONG.CONF\n"
      "  mock-kong --fuzz FIXTURE [--runs N] [--duration S] [--seed N] [--out DIR] PLUGIN\n"
      "  mock-kong --fuzz-wire FIXTURE [--runs N] [--duration S] [--seed N] [--out DIR] PLUGIN\n"
      "  mock-kong --bench FIXTURE [--concurrency N] [--rate R] [--duration S | --events N]\n"
      "            [--repeat K] [--save-baseline FILE | --baseline FILE] PLUGIN\n"
      "  mock-kong --record OUT.json [--kong-prefix DIR] [--listen PATH] [--redact-header NAME]\n"
      "            PLUGIN [ARGS...]\n"
      "  mock-kong --from-har FILE.har [--config JSON] [--expect-upstream] > FIXTURE\n"
      "  mock-kong new DIR [--name NAME]"};
  app.set_version_flag("--version", "mock-kong " KONG_PDK_VERSION
                                    " (Kong's plugin protocols MsgPack:1 and ProtoBuf:1)");
  app.add_option("--replay", replay.fixture_file, "Fixture file to replay")->option_text("FIXTURE");
  CLI::Option* fuzz_option =
      app.add_option("--fuzz", fuzz.fixture_file,
                     "Fuzz the plugin with cases mutated from this fixture's; findings are "
                     "written to --out as fixtures --replay reproduces")
          ->option_text("FIXTURE");
  std::string wire_fixture;
  CLI::Option* wire_option =
      app.add_option("--fuzz-wire", wire_fixture,
                     "Send the plugin server malformed frames and calls, each followed by one "
                     "of this fixture's cases, which must run as before")
          ->option_text("FIXTURE");
  CLI::Option* bench_option =
      app.add_option("--bench", bench.fixture_file,
                     "Measure the plugin under Kong's load, each of this fixture's cases in "
                     "turn, every answer checked (docs/bench.md)")
          ->option_text("FIXTURE");
  CLI::Option* record_option =
      app.add_option("--record", record.out_file,
                     "Stand in front of the plugin server as Kong's start command and write every "
                     "request lifecycle that passes to this fixture (docs/recording.md)")
          ->option_text("OUT.json");
  CLI::Option* kong_prefix_option =
      app.add_option("--kong-prefix", kong_prefix,
                     "--record: Kong's prefix, where Kong looks for the server's socket "
                     "(default $KONG_PREFIX, else /usr/local/kong)")
          ->option_text("DIR");
  std::string listen;
  CLI::Option* listen_option =
      app.add_option("--listen", listen,
                     "--record: the socket Kong connects to (its pluginserver_<name>_socket), "
                     "relative to --kong-prefix; default <prefix>/<server name>.socket")
          ->option_text("PATH");
  CLI::Option* redact_option =
      app.add_option("--redact-header", record.redact_headers,
                     "--record: hide this header's values in the recording; repeatable")
          ->option_text("NAME")
          ->allow_extra_args(false);
  CLI::Option* har_option =
      app.add_option("--from-har", har.har_file,
                     "Write the entries of this HAR capture to stdout as a fixture's cases")
          ->option_text("FILE.har");
  CLI::Option* har_config_option =
      app.add_option("--config", har.config, "--from-har: the fixture's plugin configuration")
          ->option_text("JSON");
  CLI::Option* expect_upstream_option = app.add_flag(
      "--expect-upstream", har.expect_upstream,
      "--from-har: expect each recorded response (status, headers, body) from the plugin");
  CLI::Option* concurrency_option =
      app.add_option("--concurrency", bench.load.concurrency,
                     "--bench: events in flight at once, over Kong's connection pool")
          ->check(CLI::Range(std::size_t{1}, std::size_t{4096}))
          ->option_text("N (default 4)");
  CLI::Option* rate_option =
      app.add_option("--rate", rate,
                     "--bench: open loop, this many events a second; latency counts from each "
                     "event's intended start")
          ->check(CLI::Range(0.001, 1e9))
          ->option_text("R");
  CLI::Option* events_option =
      app.add_option("--events", bench_events, "--bench: measure this many events of each case")
          ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 62))
          ->option_text("N");
  CLI::Option* warmup_option =
      app.add_option("--warmup", warmup_s,
                     "--bench: seconds each case runs before it is measured (default 1)")
          ->check(CLI::Range(0.0, 3600.0))
          ->option_text("S");
  CLI::Option* repeat_option =
      app.add_option("--repeat", bench.repeat,
                     "--bench: trials, the cases in turn (default 1; 10 with --baseline or "
                     "--save-baseline)")
          ->check(CLI::Range(1, 1000))
          ->option_text("K");
  CLI::Option* save_baseline_option =
      app.add_option("--save-baseline", bench.save_baseline,
                     "--bench: write the figures to this file as a baseline")
          ->option_text("FILE");
  CLI::Option* baseline_option =
      app.add_option("--baseline", bench.baseline,
                     "--bench: compare with this baseline; exit 1 when a figure regressed")
          ->option_text("FILE");
  CLI::Option* max_regression_option =
      app.add_option("--max-regression", bench.max_regression,
                     "--bench --baseline: the change each figure may take "
                     "(default cpu=5%,p99=20%,eps=5%)")
          ->option_text("SPEC");
  std::string instructions_events;
  CLI::Option* instructions_option =
      app.add_flag("--instructions", bench.instructions,
                   "--bench: also count the plugin server's instructions per event of each case "
                   "with Valgrind");
  CLI::Option* instructions_events_option =
      app.add_option("--instructions-events", instructions_events,
                     "--bench --instructions: the events of the two counted runs (default 100,300)")
          ->option_text("SHORT,LONG");
  CLI::Option* cpus_option =
      app.add_option("--cpus", bench.cpus,
                     "--bench: run mock-kong and the plugin on these CPUs (1, 0,2-3, all); "
                     "default one CPU when gating, all otherwise (docs/bench.md)")
          ->option_text("LIST");
  CLI::Option* seed_option =
      app.add_option("--seed", seed,
                     "--fuzz, --fuzz-wire: the seed; the same one makes the same cases")
          ->option_text("N");
  CLI::Option* runs_option =
      app.add_option("--runs", runs, "--fuzz: stop after this many cases (default 10000)")
          ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 62))
          ->option_text("N");
  CLI::Option* duration_option =
      app.add_option("--duration", duration_s,
                     "--fuzz: stop after this many seconds; --bench: measure each case this "
                     "long (default 5)")
          ->check(CLI::Range(0.001, 86400.0 * 365))
          ->option_text("S");
  app.add_option("--out", fuzz.out_dir, "--fuzz: where findings go (default fuzz-findings)")
      ->option_text("DIR");
  app.add_flag("--allow-errors", fuzz.allow_errors,
               "--fuzz: a failed handler (Kong's 500) is not a finding");
  app.add_option("--case", replay.cases,
                 "Run only the cases with this name (exact, or a glob with * and ?); repeatable")
      ->option_text("NAME")
      ->allow_extra_args(false);  // one name per --case: the plugin command follows
  app.add_flag("--list", list, "Print the names of the fixture's cases, one per line, and exit");
  app.add_option("--query-cmd", replay.server.query_cmd,
                 "Command that prints the plugin info (Kong's pluginserver_<name>_query_cmd); "
                 "$KONG_PREFIX is the private prefix")
      ->option_text("CMD");
  app.add_option("--start-cmd", replay.server.start_cmd,
                 "Command that starts the server (Kong's pluginserver_<name>_start_cmd)")
      ->option_text("CMD");
  app.add_option(
         "--socket", replay.server.socket,
         "Socket the server listens on (Kong's pluginserver_<name>_socket); relative to the prefix")
      ->option_text("PATH");
  CLI::Option* kong_conf_option =
      app.add_option("--kong-conf", replay.kong_conf_file,
                     "--replay: start the plugin servers kong.conf names, as Kong does, and run "
                     "the fixture's plugins on them (KONG_* in the environment over the file)")
          ->option_text("FILE");
  app.add_option("--start-timeout", start_timeout_ms,
                 "Milliseconds to wait for the query and the server's socket")
      ->check(CLI::Range(1, 3600000))
      ->option_text("MS (default 10000)");
  CLI::Option* call_timeout_option =
      app.add_option("--call-timeout", call_timeout_ms, "Milliseconds to wait for each answer")
          ->check(CLI::Range(1, 3600000))
          ->option_text("MS (default 10000; 1000 with --fuzz)");
  CLI::Option* case_timeout_option =
      app.add_option("--case-timeout", case_timeout_ms,
                     "Milliseconds all of one case's waits may take together")
          ->check(CLI::Range(1, 3600000))
          ->option_text("MS (default 30000; 3000 with --fuzz)");
  app.add_flag("-v,--verbose", replay.verbose,
               "Print every case's PDK calls, Kong's answers and the final response");
  app.add_option("--junit", replay.junit_file, "Write a JUnit XML report to this file")
      ->option_text("FILE");
  app.add_option("--json", replay.json_file,
                 "Write a JSON report to this file (docs/reports.md; --bench: docs/bench.md)")
      ->option_text("FILE");
  app.add_option("--coverage", replay.coverage_file,
                 "Write the PDK functions that passing cases called to this file (JSON array)")
      ->option_text("FILE");
  std::string new_dir;
  std::string new_name;
  CLI::App* make_new =
      app.add_subcommand("new", "Write a new C++ plugin repository whose ctest passes at once");
  make_new->add_option("DIR", new_dir, "Directory to write (must not exist, or be empty)")
      ->required();
  make_new->add_option("--name", new_name, "The plugin's name (default: DIR's last component)");
  // PLUGIN [ARGS...]: everything from the first positional on belongs to the
  // plugin command, dashes included.
  app.prefix_command();
  app.footer(
      "mock-kong new DIR [--name NAME]  writes a new C++ plugin repository\n"
      "PLUGIN [ARGS...]  plugin server executable and its arguments, after the options\n"
      "                  (Go conventions: PLUGIN -dump, PLUGIN -kong-prefix DIR)\n"
      "Exit status: 0 all cases passed (--fuzz: no findings), 1 some failed (--fuzz: findings),\n"
      "2 the run could not start.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    return 0;
  } catch (const CLI::Success&) {  // --help
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }
  if (make_new->parsed())
    return new_repository(new_dir, new_name);
  replay.server.plugin = app.remaining();
  // Under prefix_command() an option CLI11 does not know starts the plugin
  // command; a plugin command never starts with a dash.
  if (!replay.server.plugin.empty() && replay.server.plugin.front().starts_with("-")) {
    const std::string& typed = replay.server.plugin.front();
    return usage_error("unknown option " + typed, suggestion(typed, app));
  }
  const bool wire = wire_option->count() > 0;
  const bool fuzzing = fuzz_option->count() > 0 || wire;
  const bool benching = bench_option->count() > 0;
  const bool recording = record_option->count() > 0;
  const bool importing = har_option->count() > 0;
  if (int(!replay.fixture_file.empty()) + int(fuzz_option->count() > 0) + int(wire) +
          int(benching) + int(recording) + int(importing) >
      1)
    return usage_error(
        "--replay, --fuzz, --fuzz-wire, --bench, --record and --from-har are modes: give one");
  for (const CLI::Option* o : {har_config_option, expect_upstream_option}) {
    if (o->count() > 0 && !importing)
      return usage_error(o->get_name() + " is an option of --from-har");
  }
  if (importing) {
    if (!replay.server.plugin.empty())
      return usage_error("--from-har takes no plugin: it writes a fixture");
    return from_har(har);
  }
  if (kong_conf_option->count() > 0 && (benching || fuzzing || recording || importing))
    return usage_error("--kong-conf is an option of --replay");
  for (const CLI::Option* o : {kong_prefix_option, listen_option, redact_option}) {
    if (o->count() > 0 && !recording)
      return usage_error(o->get_name() + " is an option of --record");
  }
  if (recording) {
    record.server = replay.server;
    if (listen_option->count() > 0)
      record.listen = listen;
    if (kong_prefix_option->count() > 0)
      record.kong_prefix = kong_prefix;
    record.session.start_timeout = std::chrono::milliseconds(start_timeout_ms);
    record.session.call_timeout = std::chrono::milliseconds(call_timeout_ms);
    return kong::mock::record(record);
  }
  for (const CLI::Option* o :
       {concurrency_option, rate_option, events_option, warmup_option, repeat_option,
        save_baseline_option, baseline_option, max_regression_option, cpus_option,
        instructions_option, instructions_events_option}) {
    if (o->count() > 0 && !benching)
      return usage_error(o->get_name() + " is an option of --bench");
  }
  if (wire)
    fuzz.fixture_file = wire_fixture;
  for (const CLI::Option* o : {seed_option, runs_option}) {
    if (o->count() > 0 && !fuzzing)
      return usage_error(o->get_name() + " is an option of --fuzz");
  }
  if (duration_option->count() > 0 && !fuzzing && !benching)
    return usage_error("--duration is an option of --fuzz and --bench");
  if (benching) {
    bench.server = replay.server;
    bench.cases = replay.cases;
    bench.json_file = replay.json_file;
    bench.session.start_timeout = std::chrono::milliseconds(start_timeout_ms);
    bench.session.call_timeout = std::chrono::milliseconds(call_timeout_ms);
    bench.session.case_timeout = std::chrono::milliseconds(case_timeout_ms);
    if (rate_option->count() > 0)
      bench.load.rate = rate;
    if (events_option->count() > 0)
      bench.length.events = bench_events;
    if (duration_option->count() > 0 || !bench.length.events) {
      bench.length.duration = std::chrono::nanoseconds(
          static_cast<std::int64_t>((duration_option->count() > 0 ? duration_s : 5.0) * 1e9));
    }
    bench.warmup = std::chrono::nanoseconds(static_cast<std::int64_t>(warmup_s * 1e9));
    // A gate decides from several trials: one says nothing about noise.
    if (repeat_option->count() == 0 && (!bench.baseline.empty() || !bench.save_baseline.empty()))
      bench.repeat = 10;
    if (!bench.save_baseline.empty() && !bench.baseline.empty())
      return usage_error("--save-baseline and --baseline: give one");
    if (max_regression_option->count() > 0 && bench.baseline.empty())
      return usage_error("--max-regression needs --baseline FILE");
    if (instructions_events_option->count() > 0) {
      unsigned long long first = 0;
      unsigned long long second = 0;
      char tail = 0;
      if (std::sscanf(instructions_events.c_str(), "%llu,%llu%c", &first, &second, &tail) != 2 ||
          first < 1 || second <= first)
        return usage_error(
            "--instructions-events: expected SHORT,LONG with SHORT < LONG, e.g. "
            "100,300; got " +
            instructions_events);
      bench.instructions_short = first;
      bench.instructions_long = second;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    return kong::mock::bench(bench);
  }
  if (fuzzing) {
    // A hang found once costs a timeout each time the fuzzer meets it again.
    if (call_timeout_option->count() == 0)
      call_timeout_ms = 1000;
    if (case_timeout_option->count() == 0)
      case_timeout_ms = 3000;
    fuzz.server = replay.server;
    fuzz.cases = replay.cases;
    fuzz.session.start_timeout = std::chrono::milliseconds(start_timeout_ms);
    fuzz.session.call_timeout = std::chrono::milliseconds(call_timeout_ms);
    fuzz.session.case_timeout = std::chrono::milliseconds(case_timeout_ms);
    if (seed_option->count() > 0)
      fuzz.seed = seed;
    if (duration_option->count() > 0)
      fuzz.duration = std::chrono::seconds(static_cast<std::int64_t>(std::ceil(duration_s)));
    if (runs_option->count() > 0 || !fuzz.duration)
      fuzz.runs = runs_option->count() > 0 ? runs : 10000;
    for (const auto& arg : replay.server.plugin)
      fuzz.plugin_hint += (fuzz.plugin_hint.empty() ? "" : " ") + arg;
    if (fuzz.plugin_hint.empty())
      fuzz.plugin_hint = "--query-cmd CMD --start-cmd CMD";
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    return wire ? fuzz_wire(fuzz) : kong::mock::fuzz(fuzz);
  }
  if (kong_conf_option->count() > 0) {
    if (replay.fixture_file.empty())
      return usage_error("--kong-conf is an option of --replay");
    if (!replay.server.plugin.empty() || replay.server.query_cmd || replay.server.start_cmd ||
        replay.server.socket)
      return usage_error(
          "--kong-conf names the plugin servers: give no PLUGIN, --query-cmd, --start-cmd or "
          "--socket with it");
  }
  if (replay.fixture_file.empty())
    return usage_error(
        "--replay FIXTURE, --bench FIXTURE, --fuzz FIXTURE or --fuzz-wire FIXTURE is required");
  if (list)
    return list_cases(replay.fixture_file, replay.cases);

  // Case lines interleave with the plugin's relayed output: keep them in order.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  replay.session.start_timeout = std::chrono::milliseconds(start_timeout_ms);
  replay.session.call_timeout = std::chrono::milliseconds(call_timeout_ms);
  replay.session.case_timeout = std::chrono::milliseconds(case_timeout_ms);
  return kong::mock::replay(replay);
}
