// MsgPack:1 and ProtoBuf:1 side by side, and the C++ PDK against Kong's Go
// PDK, all driven by mock-kong's own PluginClient (what `mock-kong --replay`
// uses), so every row pays the same Kong-side costs:
//
// - PdkCall/<protocol>: one event of bench_plugin making 100
//   kong.request.get_header calls; the counters give the cost per call;
// - HelloEvent/<plugin>/<protocol>: one access event of a hello plugin
//   (get_header, then set_header): examples/hello in each protocol, and
//   tests/go/plugins/go-hello on Kong's Go PDK.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "kong/mock/process_stats.h"

#include "client/msgpack_plugin_client.h"
#include "client/protobuf_client.h"
#include "plugin_fixture.h"

namespace kong::bench {
namespace {

using mock::process_cpu;
using mock::process_memory;
using mock::ProcessCpu;

using protocol::Array;
using protocol::Value;

constexpr std::int64_t kCallsPerEvent = 100;

// A plugin server and Kong's side of its protocol, with one instance.
struct Served {
  std::unique_ptr<PluginFixture> server;
  std::unique_ptr<mock::PluginClient> kong;
  std::int64_t instance = 0;
  std::string error;  // why it could not start
};

// A plugin under test: its executable, whether it speaks ProtoBuf:1, and
// the flags that make it do so (a C++ plugin's choice; a Go one has no other).
struct Plugin {
  const char* executable;
  bool protobuf;
  std::vector<std::string> args;
};
const Plugin kCppMsgpack{KONG_HELLO_BIN, false, {}};
const Plugin kCppProtobuf{KONG_HELLO_BIN, true, {"-protocol", "ProtoBuf:1"}};
const Plugin kGoProtobuf{KONG_GO_HELLO_BIN, true, {}};

Served serve(const Plugin& plugin, const std::string& config) {
  Served s;
  const bool protobuf = plugin.protobuf;
  if (std::string_view(plugin.executable).empty()) {
    s.error = "not built (Kong's Go PDK needs go on PATH when configuring)";
    return s;
  }
  auto server = PluginFixture::start(plugin.executable, plugin.args);
  if (!server) {
    s.error = server.error().message;
    return s;
  }
  s.server = std::move(server).value();
  // One pooled connection at a time on both: Kong's side as cheap as it gets.
  if (protobuf) {
    s.kong = std::make_unique<mock::ProtobufClient>(
        mock::ProtobufClient::Options{.socket_path = s.server->socket_path()});
  } else {
    s.kong = std::make_unique<mock::MsgpackPluginClient>(
        mock::MsgpackClient::Options{.socket_path = s.server->socket_path(), .pool_size = 1});
  }
  auto instance = s.kong->start_instance(s.server->name(), config);
  if (!instance)
    s.error = instance.error().message;
  else
    s.instance = *instance;
  return s;
}

// Kong's answers for the hello plugins and bench_plugin: the Host header,
// then nil for set_header.
mock::CallOutcome answer(std::string_view name, const protocol::MethodInfo*, Array) {
  if (name == "kong.request.get_header")
    return {mock::CallOutcome::Kind::answer, Value("example.com"), {}};
  return {};
}

// Runs events until the benchmark stops; reports the server's CPU per event
// and `calls_per_event` calls per event.
void run_events(benchmark::State& state, Served& s, std::int64_t calls_per_event) {
  if (!s.error.empty()) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  const mock::CallHandler handler = answer;
  const ProcessCpu before = process_cpu(s.server->pid());
  for (auto _ : state) {
    const mock::EventEnd end = s.kong->run_event(s.instance, Phase::access, handler);
    if (end.kind != mock::EventEnd::Kind::returned || end.calls != std::size_t(calls_per_event)) {
      state.SkipWithError(
          fmt::format("the event did not run as expected: {} after {} calls", end.error, end.calls)
              .c_str());
      return;
    }
  }
  const ProcessCpu after = process_cpu(s.server->pid());
  const double events = static_cast<double>(state.iterations());
  const double server_us =
      std::chrono::duration<double, std::micro>(after.on_cpu - before.on_cpu).count();
  state.counters["server_cpu_us"] = server_us / events;
  state.counters["calls"] = static_cast<double>(calls_per_event);
  // The server's resident memory after its events: what each protocol costs
  // a plugin to carry (a ProtoBuf:1 server maps libprotobuf, a MsgPack:1 one
  // does not).
  state.counters["server_rss_kib"] = static_cast<double>(process_memory(s.server->pid()).rss_kib);
  // Wall time per PDK call, Kong's side included.
  state.counters["per_call"] = benchmark::Counter(
      static_cast<double>(calls_per_event),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// One server per plugin and config, started on first use and kept for the
// repetitions (Google Benchmark calls a benchmark function several times).
Served& served(const Plugin& plugin, const std::string& config) {
  static std::vector<std::pair<std::pair<const Plugin*, std::string>, std::unique_ptr<Served>>>
      servers;
  for (auto& [key, s] : servers) {
    if (key.first == &plugin && key.second == config)
      return *s;
  }
  servers.emplace_back(std::pair{&plugin, config}, std::make_unique<Served>(serve(plugin, config)));
  return *servers.back().second;
}

const Plugin kLoopingMsgpack{KONG_BENCH_PLUGIN_BIN, false, {}};
const Plugin kLoopingProtobuf{KONG_BENCH_PLUGIN_BIN, true, {"-protocol", "ProtoBuf:1"}};

void BM_PdkCall(benchmark::State& state, const Plugin* plugin) {
  run_events(state, served(*plugin, fmt::format(R"({{"calls":{}}})", kCallsPerEvent)),
             kCallsPerEvent);
}
BENCHMARK_CAPTURE(BM_PdkCall, msgpack, &kLoopingMsgpack)->UseRealTime();
BENCHMARK_CAPTURE(BM_PdkCall, protobuf, &kLoopingProtobuf)->UseRealTime();

void BM_HelloEvent(benchmark::State& state, const Plugin* plugin) {
  run_events(state, served(*plugin, R"({"message":"hi"})"), 2);
}
BENCHMARK_CAPTURE(BM_HelloEvent, cpp_msgpack, &kCppMsgpack)->UseRealTime();
BENCHMARK_CAPTURE(BM_HelloEvent, cpp_protobuf, &kCppProtobuf)->UseRealTime();
BENCHMARK_CAPTURE(BM_HelloEvent, go_protobuf, &kGoProtobuf)->UseRealTime();

}  // namespace
}  // namespace kong::bench

BENCHMARK_MAIN();
