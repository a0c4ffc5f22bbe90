// mock-kong --bench: the fixture's cases under Kong's load, measured, and
// with a baseline, the regression gate.
#include "modes/bench.h"

#include <unistd.h>

#include <deque>
#include <exception>
#include <mutex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kong/mock/case_runner.h"
#include "kong/mock/fixture_run.h"
#include "kong/mock/interrupt.h"

#include "bench/bench_report.h"
#include "bench/cpu_pinning.h"
#include "bench/instruction_count.h"
#include "bench/regression_gate.h"
#include "fixture/read_file.h"
#include "modes/exit_status.h"
#include "report/progress_line.h"
#include "report/report_file.h"
#include "report/run_text.h"

namespace kong::mock {
namespace {

// The plugin's output lines kept to show with a failure: a plugin that
// prints per event would flood the terminal and slow the run.
constexpr std::size_t kKeptOutputLines = 20;

class OutputTail {
 public:
  void add(const std::string& line) {
    std::lock_guard lock(mutex_);
    lines_.push_back(line);
    if (lines_.size() > kKeptOutputLines)
      lines_.pop_front();
  }
  std::string text() const {
    std::lock_guard lock(mutex_);
    std::string joined;
    for (const auto& l : lines_)
      joined += l + "\n";
    return joined;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<std::string> lines_;
};

std::string describe_load(const BenchOptions& o, std::size_t cases) {
  std::string text =
      fmt::format("{} case{}, concurrency {}, ", cases, cases == 1 ? "" : "s", o.load.concurrency);
  text += o.load.rate ? fmt::format("open loop at {:g} events/s", *o.load.rate) : "closed loop";
  std::vector<std::string> length;
  if (o.length.events)
    length.push_back(fmt::format("{} events", *o.length.events));
  if (o.length.duration) {
    length.push_back(
        fmt::format("{:g} s", std::chrono::duration<double>(*o.length.duration).count()));
  }
  text += fmt::format(", {} per case", fmt::join(length, " or "));
  if (o.warmup.count() > 0) {
    text +=
        fmt::format(" after {:g} s of warm-up", std::chrono::duration<double>(o.warmup).count());
  }
  if (o.repeat > 1)
    text += fmt::format(", {} trials", o.repeat);
  return text;
}

// A wrong answer: the case, the mismatches, what the plugin said. `after`
// right answers of the case came under load first; none when the case
// failed on its own, before the load.
int report_failure(std::FILE* out, const Case& c, const CaseResult& result,
                   std::optional<std::uint64_t> after, const OutputTail& output) {
  const std::string when = after ? fmt::format("under load, after {} right answers", *after)
                                 : "on its own, before the load";
  std::fprintf(out, "FAIL %s (%s) %s\n", c.name.c_str(), c.path.c_str(), when.c_str());
  for (const auto& line : mismatch_lines(result))
    std::fprintf(out, "%s\n", indented(line, 5, 5).c_str());
  // A server fault's report ends with the server's last output already.
  if (const std::string tail = output.text(); !tail.empty() && !result.errored())
    std::fprintf(out, "     the plugin's last output:\n%s", indented(tail, 7, 7).c_str());
  return kSomeFailed;
}

// The overall figures of trial `k`: every case's events together.
TrialFigures overall_trial(const std::vector<TrialMeasure>& cases) {
  TrialMeasure all;
  for (const auto& m : cases) {
    all.events += m.events;
    all.wall += m.wall;
    all.latency.merge(m.latency);
    all.server_cpu += m.server_cpu;
    all.own_cpu += m.own_cpu;
    all.pdk_calls += m.pdk_calls;
    all.rss_peak_kib = std::max(all.rss_peak_kib, m.rss_peak_kib);
  }
  if (!cases.empty()) {
    all.rss_start_kib = cases.front().rss_start_kib;
    all.rss_end_kib = cases.back().rss_end_kib;
  }
  return figures_of(all);
}

// Every case's trials in turn, into `report`; the exit status when an
// answer was wrong, nullopt when all were right.
std::optional<int> run_trials(const BenchOptions& options, const std::vector<const Case*>& cases,
                              PluginSession& plugin, BenchReport& report, ProgressLine& progress,
                              const OutputTail& output, std::FILE* out) {
  // Trials interleaved: every case once, then every case again, so that a
  // slow spell of the machine falls on all of them alike.
  for (int trial = 0; trial < options.repeat; ++trial) {
    std::vector<TrialMeasure> measured;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const Case& c = *cases[i];
      const std::string where =
          options.repeat > 1 ? fmt::format("trial {}/{}, ", trial + 1, options.repeat) : "";
      auto show = [&](const char* doing) {
        return [&, doing](std::uint64_t events) {
          progress.show(fmt::format("{}{} {} ({}/{}): {} events", where, doing, c.name, i + 1,
                                    cases.size(), events));
        };
      };
      if (options.warmup.count() > 0) {
        TrialMeasure warm =
            run_trial(c, plugin, options.load, {options.warmup, std::nullopt}, show("warming up"));
        if (interrupted())
          await_interrupt_exit();
        if (warm.failure) {
          progress.clear();
          return report_failure(out, c, *warm.failure, warm.events, output);
        }
      }
      TrialMeasure m = run_trial(c, plugin, options.load, options.length, show("measuring"));
      if (interrupted())
        await_interrupt_exit();
      if (m.failure) {
        progress.clear();
        return report_failure(out, c, *m.failure, m.events, output);
      }
      report.cases[i].trials.push_back(figures_of(m));
      measured.push_back(std::move(m));
    }
    report.overall.trials.push_back(overall_trial(measured));
  }
  return std::nullopt;
}

// --instructions: each case's count, into `report`; the exit status when
// one could not be counted.
std::optional<int> count_instructions_of_cases(const BenchOptions& options,
                                               const std::vector<const Case*>& cases,
                                               BenchReport& report, ProgressLine& progress,
                                               std::FILE* out) {
  double sum = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    progress.show(fmt::format("counting the instructions of {} ({}/{}) under Valgrind",
                              cases[i]->name, i + 1, cases.size()));
    auto count =
        count_instructions(options.fixture_file, cases[i]->name, options.server, options.session,
                           options.instructions_short, options.instructions_long);
    progress.clear();
    if (interrupted())
      await_interrupt_exit();
    if (!count) {
      std::fprintf(out, "FAIL %s (%s): %s\n", cases[i]->name.c_str(), cases[i]->path.c_str(),
                   count.error().message.c_str());
      return kSomeFailed;
    }
    report.cases[i].instructions = count->per_event;
    sum += count->per_event;
  }
  report.overall.instructions = sum / static_cast<double>(cases.size());
  return std::nullopt;
}

// The baseline --baseline names, read before anything runs.
Result<BenchReport> read_baseline(const std::string& file) {
  auto text = read_file(file);
  if (!text)
    return Error{"cannot read the baseline " + text.error().message};
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded())
    return Error{fmt::format("{}: not JSON: a baseline is what --save-baseline writes", file)};
  return bench_report_from_json(json, file);
}

}  // namespace

int bench(const BenchOptions& options, std::FILE* out) {
  // Pinned first, so that every thread and process started after runs there.
  std::vector<int> cpus;
  if (!options.cpus.empty()) {
    auto parsed = parse_cpus(options.cpus);
    if (!parsed)
      return cannot_run(parsed.error().message);
    cpus = std::move(parsed).value();
  } else if (!options.baseline.empty() || !options.save_baseline.empty()) {
    if (const auto allowed = allowed_cpus(); !allowed.empty())
      cpus = {allowed.back()};
  }
  if (!cpus.empty()) {
    if (auto pinned = pin_to(cpus); !pinned)
      return cannot_run(pinned.error().message);
  }
  if (options.instructions) {
    if (auto countable = instructions_countable(); !countable)
      return cannot_run(countable.error().message);
  }
  std::optional<BenchReport> baseline;
  std::optional<std::vector<GateLimit>> limits;
  if (!options.max_regression.empty()) {
    auto parsed = parse_max_regression(options.max_regression);
    if (!parsed)
      return cannot_run(parsed.error().message);
    limits = std::move(parsed).value();
  }
  if (!options.baseline.empty()) {
    auto read = read_baseline(options.baseline);
    if (!read)
      return cannot_run(read.error().message);
    baseline = std::move(read).value();
  }
  for (const auto& [file, what] : {std::pair{options.json_file, "the JSON report"},
                                   std::pair{options.save_baseline, "the baseline"}}) {
    if (file.empty())
      continue;
    if (auto writable = write_report_file(file, "", what); !writable)
      return cannot_run(writable.error().message);
  }
  on_interrupt([] { PluginSession::abandon_all(); });
  auto output = std::make_shared<OutputTail>();
  SessionOptions session = options.session;
  session.output = [output](const std::string& line) { output->add(line); };
  session.output_per_case = false;
  auto run = open_fixture_run(options.fixture_file, options.cases, options.server, session);
  if (!run)
    return cannot_run(run.error().message);
  PluginSession& plugin = *(*run)->session;
  const std::vector<const Case*>& cases = (*run)->cases;

  std::string pinning;
  if (!cpus.empty()) {
    pinning = fmt::format(", on CPU{} {} with the plugin (--cpus)", cpus.size() == 1 ? "" : "s",
                          fmt::join(cpus, ","));
  }
  std::fprintf(out, "mock-kong: bench %s (%s) with %s: %s%s\n", plugin.info().name.c_str(),
               plugin.info().protocol.c_str(), options.fixture_file.c_str(),
               describe_load(options, cases.size()).c_str(), pinning.c_str());

  // Each case once on its own first: a wrong answer reads as in --replay.
  for (const Case* c : cases) {
    const CaseResult result = run_and_check(*c, plugin);
    if (interrupted())
      await_interrupt_exit();
    if (!result.passed())
      return report_failure(out, *c, result, std::nullopt, *output);
  }

  ProgressLine progress(::isatty(STDERR_FILENO) == 1, "bench");
  BenchReport report;
  report.plugin = plugin.info().name;
  report.protocol = plugin.info().protocol;
  report.fixture = options.fixture_file;
  report.load = options.load;
  if (options.length.duration)
    report.duration_s = std::chrono::duration<double>(*options.length.duration).count();
  report.events = options.length.events;
  report.warmup_s = std::chrono::duration<double>(options.warmup).count();
  report.repeat = options.repeat;
  report.cpus = cpus;
  for (const Case* c : cases)
    report.cases.emplace_back().name = c->name;
  report.overall.name = "overall";

  // A measured figure beyond its limit is measured again before it counts
  // (confirm()): the trials of both measurements against the baseline.
  std::optional<GateResult> again;
  try {
    if (const auto failed = run_trials(options, cases, plugin, report, progress, *output, out))
      return *failed;
    const std::vector<GateLimit> measured_limits = limits ? *limits : default_limits(false);
    if (baseline && decide(*baseline, report, measured_limits).regressed_on_measure()) {
      std::fprintf(out, "mock-kong: beyond a limit of the gate; measuring again to confirm\n");
      std::fflush(out);
      BenchReport second = report;
      for (auto& c : second.cases)
        c.trials.clear();
      second.overall.trials.clear();
      if (const auto failed = run_trials(options, cases, plugin, second, progress, *output, out))
        return *failed;
      again = decide(*baseline, second, measured_limits);
    }
  } catch (const std::exception& e) {
    progress.clear();
    return cannot_run(std::string("--bench: ") + e.what());
  }
  progress.clear();
  if (auto stopped = plugin.stop(); !stopped)
    std::fprintf(stderr, "mock-kong: %s\n", stopped.error().message.c_str());

  if (options.instructions) {
    if (const auto failed = count_instructions_of_cases(options, cases, report, progress, out))
      return *failed;
  }

  print_figures(out, report);
  int status = kAllPassed;
  if (baseline) {
    const bool counted = report.overall.instructions && baseline->overall.instructions;
    GateResult gate = decide(*baseline, report, limits ? *limits : default_limits(counted));
    if (again)
      gate = confirm(std::move(gate), *again);
    std::fprintf(out, "\n");
    print_gate(out, gate, options.baseline, baseline->overall.trials.size(),
               report.overall.trials.size());
    if (gate.regressed())
      status = kSomeFailed;
    if (baseline->cpus != report.cpus) {
      std::fprintf(out,
                   "note: the baseline ran on CPUs [%s], this run on [%s]: figures of runs "
                   "pinned alike compare best\n",
                   fmt::format("{}", fmt::join(baseline->cpus, ",")).c_str(),
                   fmt::format("{}", fmt::join(report.cpus, ",")).c_str());
    }
  }
  const std::string json = to_json(report).dump(2) + "\n";
  for (const auto& [file, what] : {std::pair{options.json_file, "the JSON report"},
                                   std::pair{options.save_baseline, "the baseline"}}) {
    if (file.empty())
      continue;
    if (auto written = write_report_file(file, json, what); !written)
      return cannot_run(written.error().message);
  }
  return status;
}

}  // namespace kong::mock
