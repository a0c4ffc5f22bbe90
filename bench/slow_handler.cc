// A plugin whose access handler does what real handlers do besides PDK
// calls: waits on a service, or computes. The request's x-work header says
// what and for how long, so that one fixture (bench/fixtures/slow-handler.json)
// measures each kind, and its peers in Go and JavaScript read the same
// header (bench/compare-handlers):
//   block N   waits N µs in kong.blocking, as a call to a service would
//   sleep N   waits N µs on the handler's own thread, as code that blocks
//             without kong.blocking does
//   cpu N     computes for N µs of the thread's CPU time
// It answers with x-done set to the header's value.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "kong/pdk.h"

namespace {

std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

volatile std::uint64_t sink;

// A chain of dependent multiplications the compiler cannot shorten: pure
// CPU, no system call (a clock read per round would be one, and cost more
// on a virtual machine than the rounds themselves).
void rounds(std::uint64_t n) {
  std::uint64_t x = 0x9e3779b97f4a7c15;
  for (std::uint64_t i = 0; i < n; ++i)
    x = (x * 6364136223846793005ULL + 1442695040888963407ULL) ^ (x >> 29);
  sink = x;
}

// Rounds per microsecond of this thread's CPU, measured once: the best of
// a few 10 ms runs, the one least disturbed.
double rounds_per_us() {
  static const double rate = [] {
    double best = 0;
    for (int trial = 0; trial < 5; ++trial) {
      constexpr std::uint64_t n = 2'000'000;
      const auto start = thread_cpu_time();
      rounds(n);
      const double us =
          std::chrono::duration<double, std::micro>(thread_cpu_time() - start).count();
      best = std::max(best, static_cast<double>(n) / us);
    }
    return best;
  }();
  return rate;
}

void compute_for(std::chrono::microseconds cpu) {
  rounds(static_cast<std::uint64_t>(rounds_per_us() * static_cast<double>(cpu.count())));
}

}  // namespace

struct SlowHandler {
  static constexpr auto fields() { return std::tuple{}; }

  // const: it shares nothing between events, so its events may run at once.
  void access(kong::Pdk& kong) const {
    const std::string work = kong.request.get_header("x-work").value_or("");
    const auto space = work.find(' ');
    const std::string kind = work.substr(0, space);
    const auto micros = std::chrono::microseconds(
        space == std::string::npos ? 0 : std::stoll(work.substr(space + 1)));
    if (kind == "block")
      kong.blocking([micros] { std::this_thread::sleep_for(micros); });
    else if (kind == "sleep")
      std::this_thread::sleep_for(micros);
    else if (kind == "cpu")
      compute_for(micros);
    else
      throw std::invalid_argument("x-work: expected block N, sleep N or cpu N, got \"" + work +
                                  "\"");
    kong.response.set_header("x-done", work);
  }
};

int main(int argc, char** argv) {
  // Measured before any event, on a quiet machine: measured at the first
  // event instead, under load, a run's rate came out several percent apart
  // from another's, and with it the work each event does (this VM charges
  // the cost of waking a CPU to whatever runs on it).
  rounds_per_us();
  return kong::start_server<SlowHandler>(argc, argv, "0.1.0", 1);
}
