#include "bench/load_generator.h"

#include <sys/resource.h>

#include <algorithm>
#include <vector>

#include "kong/mock/interrupt.h"
#include "kong/mock/process_stats.h"

#include "client/fiber_loop.h"

namespace kong::mock {
namespace {

using std::chrono::nanoseconds;

// How often the server's memory is sampled and progress reported.
constexpr auto kSampleEvery = std::chrono::milliseconds(100);
constexpr auto kProgressEvery = std::chrono::milliseconds(250);

nanoseconds own_cpu() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& tv) {
    return nanoseconds(std::int64_t{tv.tv_sec} * 1000000000 + std::int64_t{tv.tv_usec} * 1000);
  };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}

// The plugin server's processes, as they are now.
class ServerWatch {
 public:
  explicit ServerWatch(const PluginProcess* process)
      : pgid_(process != nullptr ? process->pid() : 0) {
    refresh();
  }
  void refresh() {
    if (pgid_ <= 0)
      return;
    for (pid_t pid : process_group(pgid_)) {
      if (std::find(members_.begin(), members_.end(), pid) == members_.end())
        members_.push_back(pid);
    }
  }
  nanoseconds cpu() const { return pgid_ > 0 ? group_cpu(members_).on_cpu : nanoseconds{}; }
  std::int64_t rss_kib() const { return pgid_ > 0 ? group_memory(members_).rss_kib : 0; }

 private:
  pid_t pgid_;
  std::vector<pid_t> members_;
};

}  // namespace

double TrialMeasure::events_per_second() const {
  if (wall.count() <= 0)
    return 0;
  return static_cast<double>(events) * 1e9 / static_cast<double>(wall.count());
}

TrialMeasure run_trial(const Case& c, PluginSession& session, const LoadShape& shape,
                       const TrialLength& length, const TrialProgress& progress) {
  TrialMeasure m;
  ServerWatch server(session.process());
  FiberLoop loop;

  Clock::time_point start{};  // set as the loop starts
  Clock::time_point stop_at = Clock::time_point::max();
  const nanoseconds interval =
      shape.rate ? nanoseconds(static_cast<std::int64_t>(1e9 / *shape.rate)) : nanoseconds{};
  std::uint64_t started = 0;
  bool stopping = false;
  auto may_start = [&](Clock::time_point at) {
    return !stopping && !interrupted() && (!length.events || started < *length.events) &&
           at < stop_at;
  };
  nanoseconds server_before{};
  nanoseconds own_before{};
  // The last worker to end takes the closing samples, so that the figures
  // hold no idle time after the last event.
  const std::size_t workers = std::max<std::size_t>(1, shape.concurrency);
  std::size_t working = workers;
  auto close_window = [&] {
    m.wall = Clock::now() - start;
    m.own_cpu = own_cpu() - own_before;
    server.refresh();
    m.server_cpu = server.cpu() - server_before;
    m.rss_end_kib = server.rss_kib();
    m.rss_peak_kib = std::max(m.rss_peak_kib, m.rss_end_kib);
  };

  // The case's initial state, built once and copied into each event's
  // state, which each worker keeps from event to event. A case whose state
  // cannot be built is played fresh, to fail as it would in --replay.
  const Result<KongState> initial = initial_state(c);
  for (std::size_t i = 0; i < workers; ++i) {
    loop.spawn([&] {
      CaseResult result;
      for (;;) {
        // Open loop: wrk2's schedule, the event's intended start, however
        // late it is taken up.
        const Clock::time_point begin =
            shape.rate ? start + interval * static_cast<std::int64_t>(started) : Clock::now();
        if (!may_start(begin))
          break;
        ++started;
        loop.sleep_until(begin);
        if (initial)
          run_and_check(c, session, *initial, result);
        else
          result = run_and_check(c, session);
        const auto end = Clock::now();
        if (!result.passed()) {
          if (!m.failure && !interrupted())
            m.failure = std::move(result);
          stopping = true;
          break;
        }
        m.latency.record(end - begin);
        ++m.events;
        m.pdk_calls += result.run->state.trace.size();
      }
      if (--working == 0)
        close_window();
    });
  }
  // Samples the server's memory, and reports progress, while events run.
  loop.spawn([&] {
    auto next_progress = Clock::now() + kProgressEvery;
    while (working > 0) {
      loop.sleep_until(Clock::now() + kSampleEvery);
      if (working == 0)
        break;
      m.rss_peak_kib = std::max(m.rss_peak_kib, server.rss_kib());
      if (progress && Clock::now() >= next_progress) {
        progress(m.events);
        next_progress += kProgressEvery;
      }
    }
  });

  m.rss_start_kib = server.rss_kib();
  m.rss_peak_kib = m.rss_start_kib;
  server_before = server.cpu();
  own_before = own_cpu();
  start = Clock::now();
  if (length.duration)
    stop_at = start + *length.duration;
  loop.run();
  return m;
}

}  // namespace kong::mock
