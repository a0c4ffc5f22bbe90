// The C++ plugin server under load for a long while: examples/hello serves
// EVENTS access events (default 1,000,000) over CONNECTIONS connections at
// once (default 64), each a Kong worker's connection with its events one
// after another, as Kong drives them (HandleEvent, then a Step per PDK
// call). Every answer is checked; the server's RSS is read every 100,000
// events. Fails (exit 1) on any error, or when the RSS at the end is more
// than 10 % above the RSS at 100,000 events: memory that grows with the
// events served would end a long-running server.
//
// Usage: hello_soak [EVENTS [CONNECTIONS]]
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kong/mock/process_stats.h"

#include "plugin_fixture.h"

namespace kong::bench {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;
using protocol::rpc::Command;

constexpr std::uint64_t kCheckpoint = 100000;
constexpr double kMaxGrowth = 0.10;

struct Soak {
  std::string socket;
  std::int64_t instance = 0;
  std::uint64_t events = 0;
  std::atomic<std::uint64_t> claimed{0};
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> errors{0};
  std::mutex mutex;
  std::string first_error;

  void fail(const std::string& why) {
    if (errors.fetch_add(1) == 0) {
      std::lock_guard lock(mutex);
      first_error = why;
    }
  }
};

// The Data of a reply: the next PDK call's map, or "ret".
const Value* data_of(const Result<mock::MsgpackTransport::Answer>& answer, std::string& why) {
  if (!answer) {
    why = answer.error().message;
    return nullptr;
  }
  if (answer->error) {
    why = *answer->error;
    return nullptr;
  }
  return &event_data(answer->result);
}

// One Kong worker's connection: events one after another until all are claimed.
void worker(Soak& soak) {
  mock::MsgpackClient kong({.socket_path = soak.socket, .pool_size = 1});
  Map event;
  event.emplace_back(Value("InstanceId"), Value(soak.instance));
  event.emplace_back(Value("EventName"), Value("access"));
  const Array handle_event{Value(std::move(event))};
  while (soak.claimed.fetch_add(1) < soak.events) {
    std::string why;
    const auto started = kong.call(Command::handle_event, handle_event);
    const Value* call = data_of(started, why);
    const Value* method = call ? call->find("Method") : nullptr;
    if (!method || method->text() != "kong.request.get_header") {
      soak.fail("plugin.HandleEvent: " + (why.empty() ? "expected kong.request.get_header" : why));
      continue;
    }
    const std::int64_t id = started->result.find("EventId")->as_int();
    const auto set = kong.call(Command::step, step_params(id, Value("example.com")));
    call = data_of(set, why);
    method = call ? call->find("Method") : nullptr;
    if (!method || method->text() != "kong.response.set_header") {
      soak.fail("plugin.Step: " + (why.empty() ? "expected kong.response.set_header" : why));
      continue;
    }
    const auto end = kong.call(Command::step, step_params(id, Value{}));
    call = data_of(end, why);
    if (!call || !call->is_text() || call->text() != "ret") {
      soak.fail("plugin.Step: " + (why.empty() ? "expected \"ret\"" : why));
      continue;
    }
    soak.done.fetch_add(1);
  }
}

int run(std::uint64_t events, int connections) {
  auto server = PluginFixture::start(KONG_HELLO_BIN);
  if (!server) {
    std::fprintf(stderr, "hello_soak: %s\n", server.error().message.c_str());
    return 2;
  }
  Soak soak;
  soak.socket = (*server)->socket_path();
  soak.events = events;
  {
    mock::MsgpackClient kong({.socket_path = soak.socket, .pool_size = 1});
    auto instance = start_instance(kong, (*server)->name(), R"({"message":"hi"})");
    if (!instance) {
      std::fprintf(stderr, "hello_soak: %s\n", instance.error().message.c_str());
      return 2;
    }
    soak.instance = *instance;
  }
  const pid_t pid = (*server)->pid();
  std::printf("hello_soak: %llu events at %d connections on examples/hello (pid %d)\n",
              static_cast<unsigned long long>(events), connections, static_cast<int>(pid));
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int i = 0; i < connections; ++i)
    workers.emplace_back(worker, std::ref(soak));

  // The RSS at each 100,000 events served, as the workers go on.
  std::int64_t rss_at_first = 0;
  std::int64_t rss_peak = 0;
  for (std::uint64_t next = kCheckpoint; next <= events;) {
    const std::uint64_t finished = soak.done.load() + soak.errors.load();
    if (finished < next) {
      if (soak.claimed.load() >= events + connections && finished >= events)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    const std::int64_t rss = mock::process_memory(pid).rss_kib;
    rss_peak = std::max(rss_peak, rss);
    if (next == kCheckpoint)
      rss_at_first = rss;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("  %8llu events  %6.1f s  server RSS %6lld KiB\n",
                static_cast<unsigned long long>(next), seconds, static_cast<long long>(rss));
    std::fflush(stdout);
    next += kCheckpoint;
  }
  for (auto& w : workers)
    w.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::int64_t rss_at_end = mock::process_memory(pid).rss_kib;
  const double growth =
      rss_at_first > 0 ? static_cast<double>(rss_at_end - rss_at_first) / rss_at_first : 0;
  std::printf(
      "hello_soak: %llu events in %.1f s (%.0f events/s), %llu errors; server RSS %lld KiB at "
      "100k events, %lld KiB at the end (%+.1f %%, limit +%.0f %%), peak %lld KiB\n",
      static_cast<unsigned long long>(soak.done.load()), seconds, soak.done.load() / seconds,
      static_cast<unsigned long long>(soak.errors.load()), static_cast<long long>(rss_at_first),
      static_cast<long long>(rss_at_end), growth * 100, kMaxGrowth * 100,
      static_cast<long long>(rss_peak));
  if (soak.errors.load() > 0) {
    std::printf("hello_soak: FAILED: the first error: %s\n", soak.first_error.c_str());
    return 1;
  }
  if (events >= kCheckpoint && growth > kMaxGrowth) {
    std::printf("hello_soak: FAILED: the server's memory grew with the events it served\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace kong::bench

int main(int argc, char** argv) {
  const std::uint64_t events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const int connections = argc > 2 ? std::atoi(argv[2]) : 64;
  if (events == 0 || connections <= 0) {
    std::fprintf(stderr, "usage: hello_soak [EVENTS [CONNECTIONS]]\n");
    return 2;
  }
  return kong::bench::run(events, connections);
}
