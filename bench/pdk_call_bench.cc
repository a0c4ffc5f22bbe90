// One PDK call round trip through the C++ plugin server, Kong's side played by
// mock-kong's MsgpackClient: Kong sends plugin.Step with the result of the
// last call, the server resumes the handler, which makes its next call, and
// the server answers with it. Compare with socket_round_trip_bench.
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "kong/mock/process_stats.h"

#include "plugin_fixture.h"
#include "raw_step_client.h"

namespace kong::bench {
namespace {

using mock::process_cpu;
using mock::ProcessCpu;
using mock::system_percent;

using protocol::Array;
using protocol::Map;
using protocol::Value;

// bench_plugin's access handler, suspended in a PDK call. Started once:
// Google Benchmark runs the benchmark function several times (to size the
// loop, and once per repetition), and each run keeps stepping the same event.
struct LoopingEvent {
  std::unique_ptr<PluginFixture> server;
  std::unique_ptr<mock::MsgpackClient> kong;
  std::int64_t event_id = 0;
  std::string error;  // why the set-up failed
};

LoopingEvent start_looping_event() {
  LoopingEvent e;
  auto server = PluginFixture::start(KONG_BENCH_PLUGIN_BIN);
  if (!server) {
    e.error = server.error().message;
    return e;
  }
  e.server = std::move(server).value();
  // One connection, so every iteration is the same socket round trip as the
  // floor's; Kong would spread the calls over its pool.
  e.kong = std::make_unique<mock::MsgpackClient>(
      mock::MsgpackClient::Options{.socket_path = e.server->socket_path(), .pool_size = 1});
  auto instance = start_instance(*e.kong, e.server->name(), "{}");
  if (!instance) {
    e.error = instance.error().message;
    return e;
  }
  Map event;
  event.emplace_back(Value("InstanceId"), Value(*instance));
  event.emplace_back(Value("EventName"), Value("access"));
  auto started = e.kong->call(protocol::rpc::Command::handle_event, Array{Value(std::move(event))});
  if (!started || started->error || !event_data(started->result).is_map()) {
    e.error = "plugin.HandleEvent: expected the handler's first PDK call, got " +
              (!started         ? started.error().message
               : started->error ? *started->error
                                : protocol::to_debug_string(started->result));
    return e;
  }
  e.event_id = started->result.find("EventId")->as_int();
  return e;
}

LoopingEvent& looping_event() {
  static LoopingEvent e = start_looping_event();
  return e;
}

// The server's CPU per iteration since `before`, and its kernel share.
void report_server_cpu(benchmark::State& state, pid_t server, const ProcessCpu& before) {
  const ProcessCpu after = process_cpu(server);
  const double server_us = static_cast<double>((after.on_cpu - before.on_cpu).count()) / 1e3;
  state.counters["server_cpu_us"] =
      benchmark::Counter(server_us, benchmark::Counter::kAvgIterations);
  state.counters["server_sys_pct"] = system_percent(before, after);
}

void BM_PdkCallRoundTrip(benchmark::State& state) {
  LoopingEvent& e = looping_event();
  if (!e.error.empty()) {
    state.SkipWithError(e.error.c_str());
    return;
  }
  const ProcessCpu before = process_cpu(e.server->pid());
  for (auto _ : state) {
    Map step;
    step.emplace_back(Value("EventId"), Value(e.event_id));
    step.emplace_back(Value("Data"), Value("example.com"));
    auto answer = e.kong->call(protocol::rpc::Command::step, Array{Value(std::move(step))});
    // The next get_header call; anything else means the loop broke.
    if (!answer || answer->error || !event_data(answer->result).is_map()) {
      state.SkipWithError("plugin.Step: expected the next PDK call");
      break;
    }
  }
  report_server_cpu(state, e.server->pid(), before);
  state.SetItemsProcessed(state.iterations());
}

void BM_PdkCallRoundTripRawClient(benchmark::State& state) {
  LoopingEvent& e = looping_event();
  if (!e.error.empty()) {
    state.SkipWithError(e.error.c_str());
    return;
  }
  RawStepClient kong;
  if (auto opened = kong.open(e.server->socket_path(), e.event_id); !opened) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  const ProcessCpu before = process_cpu(e.server->pid());
  for (auto _ : state) {
    if (!kong.round_trip()) {
      state.SkipWithError("plugin.Step: expected the next PDK call");
      break;
    }
  }
  report_server_cpu(state, e.server->pid(), before);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_PdkCallRoundTrip)->Name("PdkCallRoundTrip/pool_size:1");
// Kong's side reduced to the floor's: what remains above
// socket_round_trip_bench is the server's alone.
BENCHMARK(BM_PdkCallRoundTripRawClient)->Name("PdkCallRoundTrip/raw_client");

}  // namespace
}  // namespace kong::bench

BENCHMARK_MAIN();
