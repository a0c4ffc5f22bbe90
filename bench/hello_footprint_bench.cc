// What examples/hello costs besides time per event: its resident memory,
// idle after 10,000 events, and how long Kong waits for `hello -dump` (its
// query command) at start-up.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>

#include "kong/mock/process_stats.h"

#include "plugin_fixture.h"

extern char** environ;

namespace kong::bench {
namespace {

using mock::process_memory;
using mock::ProcessMemory;

using protocol::Array;
using protocol::Map;
using protocol::Value;

constexpr int kWarmUpEvents = 10000;

// Runs one hello access event; false if the server answered anything unexpected.
bool hello_event(mock::MsgpackClient& kong, const Array& handle_event) {
  auto started = kong.call(protocol::rpc::Command::handle_event, handle_event);
  if (!started || started->error || started->result.find("EventId") == nullptr)
    return false;
  const Value id = *started->result.find("EventId");
  Map host;
  host.emplace_back(Value("EventId"), id);
  host.emplace_back(Value("Data"), Value("example.com"));
  auto set_header = kong.call(protocol::rpc::Command::step, Array{Value(std::move(host))});
  if (!set_header || set_header->error)
    return false;
  Map nil;  // Kong's MessagePack leaves a nil Data out (protocol.md §3)
  nil.emplace_back(Value("EventId"), id);
  auto done = kong.call(protocol::rpc::Command::step, Array{Value(std::move(nil))});
  return done && !done->error && event_data(done->result) == Value("ret");
}

void set_memory_counters(benchmark::State& state, const std::string& when,
                         const ProcessMemory& memory) {
  state.counters[when + "_rss_kib"] = static_cast<double>(memory.rss_kib);
  state.counters[when + "_anon_kib"] = static_cast<double>(memory.anon_kib);
  state.counters[when + "_file_kib"] = static_cast<double>(memory.file_kib);
}

// A fresh hello server per iteration: VmRSS just after it listens, and once
// idle after kWarmUpEvents events over a pool of two connections.
void BM_HelloIdleMemory(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto server = PluginFixture::start(KONG_HELLO_BIN);
    if (!server) {
      state.SkipWithError(server.error().message.c_str());
      return;
    }
    const pid_t pid = (*server)->pid();
    const ProcessMemory started = process_memory(pid);
    mock::MsgpackClient kong({.socket_path = (*server)->socket_path(), .pool_size = 2});
    auto instance = start_instance(kong, (*server)->name(), R"({"message":"hi"})");
    if (!instance) {
      state.SkipWithError(instance.error().message.c_str());
      return;
    }
    Map event;
    event.emplace_back(Value("InstanceId"), Value(*instance));
    event.emplace_back(Value("EventName"), Value("access"));
    const Array handle_event{Value(std::move(event))};
    state.ResumeTiming();
    for (int i = 0; i < kWarmUpEvents; ++i) {
      if (!hello_event(kong, handle_event)) {
        state.SkipWithError("a hello event went wrong");
        return;
      }
    }
    state.PauseTiming();
    // The last answer has been read: the server is back in epoll_wait.
    const ProcessMemory idle = process_memory(pid);
    set_memory_counters(state, "start", started);
    set_memory_counters(state, "idle", idle);
    state.counters["idle_peak_kib"] = static_cast<double>(idle.peak_kib);
    server->reset();
    state.ResumeTiming();
  }
}

// `hello -dump`: spawn, read its JSON to the end as Kong does, reap it.
void BM_HelloDump(benchmark::State& state) {
  for (auto _ : state) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
      state.SkipWithError("pipe2 failed");
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    const char* argv[] = {KONG_HELLO_BIN, "-dump", nullptr};
    pid_t pid = -1;
    const int err =
        ::posix_spawn(&pid, KONG_HELLO_BIN, &actions, nullptr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    std::string json;
    char buffer[4096];
    for (ssize_t n; err == 0 && (n = ::read(out[0], buffer, sizeof buffer)) > 0;)
      json.append(buffer, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    if (err != 0 || ::waitpid(pid, &status, 0) != pid || status != 0 || !json.starts_with("{")) {
      state.SkipWithError("hello -dump failed");
      return;
    }
  }
}

BENCHMARK(BM_HelloIdleMemory)
    ->Name("HelloIdleMemory/events:10000")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// The child's time is not this process's CPU: only wall time means anything.
BENCHMARK(BM_HelloDump)
    ->Name("HelloDump")
    ->Iterations(50)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace kong::bench

BENCHMARK_MAIN();
