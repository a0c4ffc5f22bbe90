// mock-kong --fuzz: the fixture's cases mutated into request lifecycles
// nobody wrote down, played against the plugin through the one case runner
// every mode uses, in one plugin session that outlives the plugin's crashes.
#include "modes/fuzz.h"

#include <unistd.h>

#include <filesystem>
#include <random>
#include <set>

#include <fmt/format.h>

#include "kong/mock/case_runner.h"
#include "kong/mock/fixture_run.h"
#include "kong/mock/interrupt.h"

#include "fixture/fixture_writer.h"
#include "fuzz/case_mutator.h"
#include "fuzz/finding.h"
#include "fuzz/shrink.h"
#include "modes/exit_status.h"
#include "report/report_file.h"

namespace kong::mock {
namespace {

using Clock = std::chrono::steady_clock;

// A run of a hang costs a timeout: shrink those less.
constexpr int kShrinkBudget = 200;
constexpr int kShrinkBudgetForHangs = 6;

// A file name from a finding's title: lower case, [a-z0-9.-] only.
std::string file_stem(const Finding& f) {
  std::string stem;
  for (char ch : f.title()) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || ch == '.')
      stem.push_back(static_cast<char>(std::tolower(c)));
    else if (!stem.empty() && stem.back() != '-')
      stem.push_back('-');
    if (stem.size() >= 80)
      break;
  }
  while (!stem.empty() && stem.back() == '-')
    stem.pop_back();
  return stem.empty() ? "finding" : stem;
}

// The live progress line, on a terminal only.
class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}
  void show(std::uint64_t runs, double per_second, std::size_t findings, std::size_t corpus) {
    if (!on_ || Clock::now() < next_)
      return;
    next_ = Clock::now() + std::chrono::milliseconds(250);
    std::fprintf(stderr,
                 "\r\033[Kmock-kong: fuzzing: %llu cases, %.0f cases/s, %zu findings, corpus %zu",
                 static_cast<unsigned long long>(runs), per_second, findings, corpus);
    std::fflush(stderr);
    shown_ = true;
  }
  // Before anything else is printed: the line goes.
  void clear() {
    if (shown_)
      std::fputs("\r\033[K", stderr);
    shown_ = false;
    next_ = {};
  }

 private:
  bool on_;
  bool shown_ = false;
  Clock::time_point next_{};
};

class Fuzzer {
 public:
  Fuzzer(const FuzzOptions& options, FixtureRun& run, std::uint64_t seed, std::FILE* out)
      : options_(options),
        run_(run),
        session_(*run.session),
        seed_(seed),
        out_(out),
        mutator_(mutator_options(run, *run.session), seed),
        progress_(::isatty(STDERR_FILENO) == 1) {
    for (const Case* c : run.cases)
      corpus_.push_back(*c);
  }

  int go() {
    const auto start = Clock::now();
    const auto deadline = options_.duration ? start + *options_.duration : Clock::time_point::max();
    // The fixture's own cases first, as they are.
    for (std::size_t i = 0; i < corpus_.size() && !stopped(); ++i)
      play(as_fuzzed(corpus_[i]));
    while (!stopped() && (!options_.runs || runs_ < *options_.runs) && Clock::now() < deadline) {
      Case c = mutator_.mutate(mutator_.random().pick(corpus_));
      play(as_fuzzed(std::move(c)));
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      progress_.show(runs_, seconds > 0 ? runs_ / seconds : 0, written_.size(), corpus_.size());
    }
    progress_.clear();
    if (interrupted())
      await_interrupt_exit();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::fprintf(out_, "mock-kong: fuzzed %s with %llu cases in %.1f s (%.0f cases/s), seed %llu\n",
                 session_.info().name.c_str(), static_cast<unsigned long long>(runs_), seconds,
                 seconds > 0 ? runs_ / seconds : 0.0, static_cast<unsigned long long>(seed_));
    if (unrunnable_ > 0) {
      std::fprintf(out_, "mock-kong: %llu fuzzed cases could not run; the first: %s\n",
                   static_cast<unsigned long long>(unrunnable_), first_unrunnable_.c_str());
    }
    if (!session_.down().empty())
      std::fprintf(out_, "mock-kong: stopped early: %s\n", session_.down().c_str());
    if (auto stopped = session_.stop(); !stopped)
      std::fprintf(stderr, "mock-kong: %s\n", stopped.error().message.c_str());
    if (written_.empty()) {
      std::fprintf(out_, "no findings\n");
      return kAllPassed;
    }
    std::fprintf(out_, "%zu finding%s in %s; replay one with: mock-kong --replay FILE %s\n",
                 written_.size(), written_.size() == 1 ? "" : "s", options_.out_dir.c_str(),
                 options_.plugin_hint.c_str());
    return kSomeFailed;
  }

 private:
  static CaseMutator::Options mutator_options(const FixtureRun& run, const PluginSession& session) {
    CaseMutator::Options o;
    o.dictionary = fuzz_dictionary(run.fixture);
    o.trusted_ips = run.fixture.kong->trusted_ips;
    o.consumers = run.fixture.kong->consumers;
    o.stream = session.handles(Phase::preread);
    return o;
  }

  bool stopped() const { return interrupted() != 0 || !session_.down().empty(); }

  // A fuzzed case is held to the fixture's invariants only: a changed
  // request cannot meet the expectations written for the one it came from.
  Case as_fuzzed(Case c) const {
    c.expect = Expectations{};
    c.expect.invariants = run_.fixture.fuzz.invariants;
    c.name = fmt::format("fuzz {}", runs_ + 1);
    c.path = c.name;
    return c;
  }

  void play(const Case& c) {
    ++runs_;
    const CaseResult result = run_and_check(c, session_);
    if (result.unrunnable()) {
      if (unrunnable_++ == 0)
        first_unrunnable_ = result.mismatches.empty() ? "" : to_string(result.mismatches.front());
      return;
    }
    for (const Finding& f : findings_of(result, options_.allow_errors)) {
      if (seen_.insert(f.key()).second)
        report(c, f);
    }
  }

  bool reproduces(const Case& c, const std::string& key) {
    const CaseResult result = run_and_check(c, session_);
    for (const Finding& f : findings_of(result, options_.allow_errors)) {
      if (f.key() == key)
        return true;
    }
    return false;
  }

  void report(const Case& found, const Finding& f) {
    const std::string key = f.key();
    Case small = shrink_case(
        found, [&](const Case& c) { return !stopped() && reproduces(c, key); },
        f.kind == Finding::Kind::hang ? kShrinkBudgetForHangs : kShrinkBudget);
    if (interrupted())
      return;
    small.name = f.title();
    const std::string file = write(small, f);
    progress_.clear();
    std::fprintf(out_, "FOUND %s\n", f.title().c_str());
    std::string message = f.message;
    for (std::size_t at = message.find('\n'); at != std::string::npos;
         at = message.find('\n', at + 3)) {
      message.replace(at, 1, "\n      ");
    }
    std::fprintf(out_, "      %s\n      written to %s\n", message.c_str(), file.c_str());
    std::fflush(out_);
  }

  // The finding as a fixture of one case: the fixture's config, settings
  // and invariants, and the shrunk case with no expectations but Kong's
  // default one (no errors), which the finding breaks.
  std::string write(const Case& c, const Finding& f) {
    Fixture finding;
    finding.description =
        fmt::format("Found by mock-kong --fuzz {} (seed {}): {}. {}", run_.fixture.file, seed_,
                    f.title(), f.message.substr(0, f.message.find('\n')));
    finding.config = run_.fixture.config;
    finding.kong = run_.fixture.kong;
    finding.scope = run_.fixture.scope;
    finding.fuzz.invariants = run_.fixture.fuzz.invariants;
    finding.cases.push_back(c);
    std::string stem = file_stem(f);
    std::string file = fmt::format("{}/{}.json", options_.out_dir, stem);
    for (int n = 2; written_.count(file) != 0; ++n)
      file = fmt::format("{}/{}-{}.json", options_.out_dir, stem, n);
    written_.insert(file);
    if (auto ok = write_report_file(file, fixture_to_json(finding).dump(2) + "\n", "a finding");
        !ok) {
      std::fprintf(stderr, "mock-kong: %s\n", ok.error().message.c_str());
    }
    return file;
  }

  const FuzzOptions& options_;
  FixtureRun& run_;
  PluginSession& session_;
  std::uint64_t seed_;
  std::FILE* out_;
  CaseMutator mutator_;
  Progress progress_;
  std::vector<Case> corpus_;
  std::set<std::string> seen_;
  std::set<std::string> written_;
  std::uint64_t runs_ = 0;
  std::uint64_t unrunnable_ = 0;
  std::string first_unrunnable_;
};

}  // namespace

int fuzz(const FuzzOptions& options, std::FILE* out) {
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) {
    return cannot_run(fmt::format("cannot create the findings directory {}: {}", options.out_dir,
                                  error.message()));
  }
  on_interrupt([] { PluginSession::abandon_all(); });
  SessionOptions session = options.session;
  // The plugin's output belongs to the case it came with: a finding's
  // message carries the lines that matter.
  if (!session.output)
    session.output = [](const std::string&) {};
  auto run = open_fixture_run(options.fixture_file, options.cases, options.server, session);
  if (!run)
    return cannot_run(run.error().message);
  const std::uint64_t seed = options.seed.value_or(std::random_device{}());
  return Fuzzer(options, **run, seed, out).go();
}

}  // namespace kong::mock
