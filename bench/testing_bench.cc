// What a plugin's tests cost: one hello case run in process (kong::testing),
// with a mocked PDK call, replayed over the socket of a running server, and
// as ctest runs a kong_add_replay_test case (one mock-kong process: query,
// start, configure, replay, stop).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "kong/mock/case_runner.h"
#include "kong/mock/session.h"
#include "kong/testing.h"

#include "hello/hello.h"

extern char** environ;

namespace kong::bench {
namespace {

const std::string kFixture = std::string(KONG_SOURCE_DIR) + "/examples/hello/fixtures/hello.json";
const std::string kCase = "greets the host named in the Host header";

void InProcessHelloCase(benchmark::State& state) {
  const auto fixture = testing::Fixture::load(kFixture);
  testing::Plugin<hello::Config> plugin(fixture.config(), {.name = "hello"});
  const mock::Case& c = fixture.case_named(kCase);
  for (auto _ : state) {
    auto result = plugin.run(c);
    if (!result.passed())
      state.SkipWithError("the case failed");
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(InProcessHelloCase)->Unit(benchmark::kMicrosecond);

void InProcessHelloCaseWithAMockedCall(benchmark::State& state) {
  const auto fixture = testing::Fixture::load(kFixture);
  testing::Plugin<hello::Config> plugin(fixture.config(), {.name = "hello"});
  const mock::Case& c = fixture.case_named(kCase);
  for (auto _ : state) {
    ::testing::NiceMock<testing::MockPdk> kong;
    ON_CALL(kong, request_get_header(::testing::_)).WillByDefault(::testing::Return("example.com"));
    auto result = plugin.run(c, kong);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(InProcessHelloCaseWithAMockedCall)->Unit(benchmark::kMicrosecond);

// The server started once: each iteration is one case's lifecycle.
void SocketReplayHelloCase(benchmark::State& state, const char* protocol) {
  mock::ServerCommand server;
  server.plugin = {KONG_HELLO_BIN, "-protocol", protocol};
  mock::SessionOptions options;
  options.output = [](const std::string&) {};
  auto session = mock::PluginSession::start(server, options);
  if (!session) {
    state.SkipWithError(session.error().message.c_str());
    return;
  }
  const auto fixture = testing::Fixture::load(kFixture);
  if (!(*session)->configure(fixture.config(), kFixture)) {
    state.SkipWithError("configure failed");
    return;
  }
  const mock::Case& c = fixture.case_named(kCase);
  for (auto _ : state) {
    auto result = mock::run_and_check(c, **session);
    if (!result.passed())
      state.SkipWithError("the case failed");
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(SocketReplayHelloCase, msgpack, "MsgPack:1")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(SocketReplayHelloCase, protobuf, "ProtoBuf:1")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// What one ctest test of kong_add_replay_test runs.
void MockKongProcessPerCase(benchmark::State& state) {
  std::vector<std::string> args = {KONG_MOCK_KONG_BIN, "--replay", kFixture,
                                   "--case",           kCase,      KONG_HELLO_BIN};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  for (auto _ : state) {
    pid_t pid = 0;
    if (::posix_spawn(&pid, argv[0], &quiet, nullptr, argv.data(), environ) != 0) {
      state.SkipWithError("cannot run mock-kong");
      break;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("mock-kong did not pass the case");
      break;
    }
  }
  posix_spawn_file_actions_destroy(&quiet);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(MockKongProcessPerCase)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace kong::bench

BENCHMARK_MAIN();
