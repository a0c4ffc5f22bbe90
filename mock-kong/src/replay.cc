#include "replay.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <set>

#include <fmt/format.h>

#include "kong/mock/config_schema.h"
#include "kong/mock/fixture.h"
#include "kong/mock/plugin_process.h"
#include "kong/protocol/typed_codec.h"

#include "expectations.h"
#include "lifecycle.h"
#include "msgpack_plugin_client.h"
#include "protobuf_client.h"

namespace kong::mock {
namespace {

std::string shell_quote(const std::string& s) {
  if (!s.empty() &&
      s.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@+") ==
          std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string joined_command(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const auto& a : argv)
    cmd += (cmd.empty() ? "" : " ") + shell_quote(a);
  return cmd;
}

// Kong identifies plugin entities by UUID; any well-formed one will do.
std::string random_uuid() {
  std::random_device rd;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string id = "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx";
  for (char& c : id) {
    if (c == 'x')
      c = "0123456789abcdef"[hex(rd)];
  }
  return id;
}

// Everything that must be undone on every path, Ctrl-C included.
struct Resources {
  std::optional<TempDir> prefix;
  std::unique_ptr<PluginProcess> plugin;
};
Resources* g_resources = nullptr;

void print_trace(std::FILE* out, const KongState& s) {
  for (const auto& t : s.trace) {
    std::fprintf(out, "      %-8s %s(%s) -> %s\n", std::string(to_string(t.phase)).c_str(),
                 t.method.c_str(), protocol::to_debug_string(t.args).c_str(),
                 t.error.empty() ? protocol::to_debug_string(t.result).c_str()
                                 : ("error: " + t.error).c_str());
  }
}

// The functions as a sorted JSON array, so that files from several replays
// union and diff cleanly.
Status write_coverage(const std::string& file, const std::set<protocol::MethodId>& called) {
  auto names = nlohmann::json::array();
  for (auto id : called)
    names.push_back(protocol::info(id).name);
  std::sort(names.begin(), names.end());
  std::ofstream out(file);
  out << names.dump(2) << "\n";
  out.close();
  if (!out)
    return Error{fmt::format("cannot write the coverage file {}", file)};
  return Ok{};
}

}  // namespace

int replay(const ReplayOptions& options, std::FILE* out) {
  auto fixture = load_fixture(options.fixture_file);
  if (!fixture) {
    std::fprintf(stderr, "mock-kong: %s\n", fixture.error().message.c_str());
    return kCannotRun;
  }
  if (options.plugin_command.empty() && !(options.query_cmd && options.start_cmd)) {
    std::fprintf(stderr, "mock-kong: give a PLUGIN command, or both --query-cmd and --start-cmd\n");
    return kCannotRun;
  }

  Resources resources;
  g_resources = &resources;
  on_interrupt([] {
    if (g_resources == nullptr)
      return;
    if (g_resources->plugin)
      g_resources->plugin->stop();
    g_resources->prefix.reset();
  });
  auto prefix = TempDir::create();
  if (!prefix) {
    std::fprintf(stderr, "mock-kong: %s\n", prefix.error().message.c_str());
    return kCannotRun;
  }
  resources.prefix.emplace(std::move(prefix).value());
  const std::string& dir = resources.prefix->path();
  ::setenv("KONG_PREFIX", dir.c_str(), 1);

  // Go-convention servers get the private prefix on both commands, so the
  // dump's SocketPath points into it.
  const std::string plugin = joined_command(options.plugin_command);
  const std::string query_cmd =
      options.query_cmd.value_or(plugin + " -kong-prefix " + shell_quote(dir) + " -dump");
  const std::string start_cmd =
      options.start_cmd.value_or(plugin + " -kong-prefix " + shell_quote(dir));

  auto info = query_plugin(query_cmd, options.start_timeout);
  if (!info) {
    std::fprintf(stderr, "mock-kong: %s\n", info.error().message.c_str());
    return kCannotRun;
  }
  if (info->protocol != "MsgPack:1" && info->protocol != "ProtoBuf:1") {
    std::fprintf(stderr,
                 "mock-kong: %s speaks %s; Kong (and mock-kong) speak MsgPack:1 and ProtoBuf:1\n",
                 info->name.c_str(), info->protocol.c_str());
    return kCannotRun;
  }
  auto config = validate_config(fixture->config, info->schema, fixture->file);
  if (!config) {
    std::fprintf(stderr, "mock-kong: %s\n", config.error().message.c_str());
    return kCannotRun;
  }
  // Kong's bookkeeping keys (protocol.md §2).
  (*config)["__seq__"] = 1;
  (*config)["__plugin_id"] = random_uuid();

  std::string socket =
      info->socket_path.empty() ? dir + "/" + info->name + ".socket" : info->socket_path;
  if (options.socket)
    socket = options.socket->starts_with("/") ? *options.socket : dir + "/" + *options.socket;

  PluginProcess::Options process;
  process.start_cmd = start_cmd;
  process.name = info->name;
  process.socket_path = socket;
  process.start_timeout = options.start_timeout;
  process.env = {{"KONG_PREFIX", dir}};
  auto started = PluginProcess::start(std::move(process));
  if (!started) {
    std::fprintf(stderr, "mock-kong: %s\n", started.error().message.c_str());
    return kCannotRun;
  }
  resources.plugin = std::move(started).value();

  // Kong's side of the protocol the plugin's dump names.
  std::unique_ptr<PluginClient> client;
  if (info->protocol == "ProtoBuf:1") {
    client = std::make_unique<ProtobufClient>(
        ProtobufClient::Options{.socket_path = socket, .timeout = options.call_timeout});
  } else {
    client = std::make_unique<MsgpackPluginClient>(MsgpackClient::Options{
        .socket_path = socket, .pool_size = 2, .timeout = options.call_timeout});
  }
  const std::string config_text = config->dump();
  auto start_instance = [&]() { return client->start_instance(info->name, config_text); };
  auto instance = start_instance();
  if (!instance) {
    std::fprintf(stderr, "mock-kong: %s\n", instance.error().message.c_str());
    return kCannotRun;
  }

  PluginSession session{
      client.get(), *instance, {}, start_instance, (*config)["__plugin_id"].get<std::string>()};
  for (const auto& p : info->phases) {
    if (auto phase = parse_phase(p))
      session.phases.push_back(*phase);
  }
  std::fprintf(out, "mock-kong: %s %s (%s, phases: %s): %zu cases from %s\n", info->name.c_str(),
               info->version.c_str(), info->protocol.c_str(),
               fmt::format("{}", fmt::join(info->phases, ", ")).c_str(), fixture->cases.size(),
               fixture->file.c_str());

  std::size_t failed = 0;
  std::set<protocol::MethodId> covered;  // by passing cases only
  for (const auto& c : fixture->cases) {
    auto run = run_case(c, session);
    std::vector<Mismatch> mismatches;
    if (!run) {
      mismatches.push_back({c.path, "a runnable case", run.error().message});
    } else {
      mismatches = check_expectations(c.expect, *run);
    }
    failed += mismatches.empty() ? 0 : 1;
    if (run && mismatches.empty())
      covered.insert(run->state.exercised.begin(), run->state.exercised.end());
    std::fprintf(out, "%s  %s\n", mismatches.empty() ? "PASS" : "FAIL", c.name.c_str());
    for (const auto& m : mismatches) {
      std::fprintf(out, "      %s: expected %s, got %s\n", m.path.c_str(), m.expected.c_str(),
                   m.actual.c_str());
    }
    if (run && (options.verbose || !mismatches.empty()))
      print_trace(out, run->state);
  }
  if (auto closed = client->close_instance(session.instance_id); !closed)
    std::fprintf(stderr, "mock-kong: %s\n", closed.error().message.c_str());
  resources.plugin->stop();
  std::fprintf(out, "%zu cases: %zu passed, %zu failed\n", fixture->cases.size(),
               fixture->cases.size() - failed, failed);
  g_resources = nullptr;
  if (!options.coverage_file.empty()) {
    if (auto written = write_coverage(options.coverage_file, covered); !written) {
      std::fprintf(stderr, "mock-kong: %s\n", written.error().message.c_str());
      return kCannotRun;
    }
  }
  return failed == 0 ? kAllPassed : kSomeFailed;
}

}  // namespace kong::mock
