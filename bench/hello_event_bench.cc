// One `access` event of examples/hello end to end, as Kong drives it:
// HandleEvent -> kong.request.get_header; Step "example.com" ->
// kong.response.set_header; Step nil -> "ret". Three round trips per event.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include "kong/mock/process_stats.h"

#include "plugin_fixture.h"

namespace kong::bench {
namespace {

using mock::process_cpu;
using mock::ProcessCpu;
using mock::system_percent;

using protocol::Array;
using protocol::Map;
using protocol::Value;

// The hello server, shared by every run and thread of the benchmarks below.
struct HelloServer {
  std::unique_ptr<PluginFixture> server;
  std::string error;  // why it did not start
};

HelloServer& hello_server() {
  static HelloServer hello = [] {
    HelloServer h;
    auto server = PluginFixture::start(KONG_HELLO_BIN);
    if (server)
      h.server = std::move(server).value();
    else
      h.error = server.error().message;
    return h;
  }();
  return hello;
}

// Whether an event reply's Data is a call of `method` ("ret" for the end).
bool answered(const Result<mock::MsgpackTransport::Answer>& answer, std::string_view method) {
  if (!answer || answer->error)
    return false;
  const Value& data = event_data(answer->result);
  if (method == "ret")
    return data.is_text() && data.text() == "ret";
  const Value* called = data.find("Method");
  return called != nullptr && called->is_text() && called->text() == method;
}

// One hello event per iteration; range(0) is the client's pool size. With
// several threads each is a Kong worker with its own pool, all on one server.
void BM_HelloEvent(benchmark::State& state) {
  HelloServer& hello = hello_server();
  if (!hello.error.empty()) {
    state.SkipWithError(hello.error.c_str());
    return;
  }
  const auto pool_size = static_cast<std::size_t>(state.range(0));
  mock::MsgpackClient kong({.socket_path = hello.server->socket_path(), .pool_size = pool_size});
  auto instance = start_instance(kong, hello.server->name(), R"({"message":"hi"})");
  if (!instance) {
    state.SkipWithError(instance.error().message.c_str());
    return;
  }
  // Opens every pooled connection before the clock starts.
  for (std::size_t i = 1; i < pool_size; ++i)
    kong.call(protocol::rpc::Command::get_instance_status, Array{Value(*instance)});
  Map event;
  event.emplace_back(Value("InstanceId"), Value(*instance));
  event.emplace_back(Value("EventName"), Value("access"));
  const Array handle_event{Value(std::move(event))};

  const bool measures_server = state.thread_index() == 0;
  const ProcessCpu before = measures_server ? process_cpu(hello.server->pid()) : ProcessCpu{};
  for (auto _ : state) {
    auto get_header = kong.call(protocol::rpc::Command::handle_event, handle_event);
    if (!answered(get_header, "kong.request.get_header")) {
      state.SkipWithError("plugin.HandleEvent: expected a kong.request.get_header call");
      break;
    }
    const std::int64_t id = get_header->result.find("EventId")->as_int();
    auto set_header =
        kong.call(protocol::rpc::Command::step, step_params(id, Value("example.com")));
    if (!answered(set_header, "kong.response.set_header")) {
      state.SkipWithError("plugin.Step: expected a kong.response.set_header call");
      break;
    }
    if (!answered(kong.call(protocol::rpc::Command::step, step_params(id, Value{})), "ret")) {
      state.SkipWithError("plugin.Step: expected \"ret\"");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (measures_server) {
    // Every thread ran as many events as this one.
    const ProcessCpu after = process_cpu(hello.server->pid());
    const double events = static_cast<double>(state.iterations()) * state.threads();
    const double server_us = static_cast<double>((after.on_cpu - before.on_cpu).count()) / 1e3;
    state.counters["server_cpu_us"] = events > 0 ? server_us / events : 0;
    state.counters["server_sys_pct"] = system_percent(before, after);
  }
  kong.call(protocol::rpc::Command::close_instance, Array{Value(*instance)});
}

BENCHMARK(BM_HelloEvent)->Name("HelloEvent")->ArgName("pool_size")->Arg(1)->Arg(2);
// Four Kong workers at once, as the design's reference figures were taken.
BENCHMARK(BM_HelloEvent)
    ->Name("HelloEvent/concurrent")
    ->ArgName("pool_size")
    ->Arg(2)
    ->Threads(4)
    ->UseRealTime();

}  // namespace
}  // namespace kong::bench

BENCHMARK_MAIN();
