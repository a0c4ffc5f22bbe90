// mock-kong --fuzz: the fixture's cases mutated into request lifecycles
// nobody wrote down, played against the plugin through the one case runner
// every mode uses, in one plugin session that outlives the plugin's crashes.
#include "modes/fuzz.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>

#include "kong/mock/case_runner.h"
#include "kong/mock/fixture_run.h"
#include "kong/mock/interrupt.h"
#include "kong/mock/temp_dir.h"

#include "fixture/fixture_writer.h"
#include "fuzz/case_mutator.h"
#include "fuzz/coverage_feedback.h"
#include "fuzz/finding.h"
#include "fuzz/shrink.h"
#include "modes/exit_status.h"
#include "report/progress_line.h"
#include "report/report_file.h"
#include "report/run_text.h"

namespace kong::mock {
namespace {

using Clock = std::chrono::steady_clock;

// The largest request the corpus keeps: body, header values and URL.
constexpr std::size_t kMaxCorpusRequestBytes = 8192;

std::size_t request_bytes(const Case& c) {
  std::size_t bytes = c.request.url.size() + c.request.body.size();
  for (const auto& [name, value] : c.request.headers)
    bytes += name.size() + value.size();
  return bytes;
}

// A run of a hang costs a timeout: shrink those less.
constexpr int kShrinkBudget = 200;
constexpr int kShrinkBudgetForHangs = 6;
// A finding that does not come back when its case runs again on its own
// (a hang on a machine busy for a moment, a crash that needed the cases
// before it) would be written as a fixture that replays clean: it is
// tried again when met again, this many times, then named as flaky.
constexpr int kConfirmTries = 3;

class Fuzzer {
 public:
  Fuzzer(const FuzzOptions& options, FixtureRun& run, CoverageFeedback& coverage,
         std::uint64_t seed, std::FILE* out)
      : options_(options),
        run_(run),
        session_(*run.session),
        coverage_(coverage),
        seed_(seed),
        out_(out),
        mutator_(mutator_options(run, *run.session), seed),
        progress_(::isatty(STDERR_FILENO) == 1, "fuzzing") {}

  int go() {
    const auto start = Clock::now();
    const auto deadline = options_.duration ? start + *options_.duration : Clock::time_point::max();
    // The fixture's own cases first, as they are: the corpus starts there.
    for (const Case* c : run_.cases) {
      if (stopped())
        break;
      play(as_fuzzed(*c), nullptr);
    }
    while (!stopped() && !corpus_.empty() && (!options_.runs || runs_ < *options_.runs) &&
           Clock::now() < deadline) {
      // By index: play() may grow the corpus, which moves its entries.
      const std::size_t base = pick();
      const Input& input = corpus_[base];
      const auto& compared =
          !input.fresh.empty() && mutator_.random().chance(70) ? input.fresh : input.comparisons;
      Case c = as_fuzzed(mutator_.mutate(input.c, compared));
      play(c, &base);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      progress_.show(fmt::format("{} cases, {:.0f} cases/s, {} findings, corpus {}", runs_,
                                 seconds > 0 ? runs_ / seconds : 0, written_.size(),
                                 corpus_.size()));
    }
    progress_.clear();
    if (interrupted())
      await_interrupt_exit();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::fprintf(out_, "mock-kong: fuzzed %s with %llu cases in %.1f s (%.0f cases/s), seed %llu\n",
                 session_.info().name.c_str(), static_cast<unsigned long long>(runs_), seconds,
                 seconds > 0 ? runs_ / seconds : 0.0, static_cast<unsigned long long>(seed_));
    if (coverage_.edges() > 0) {
      std::fprintf(out_,
                   "mock-kong: guided by the plugin's coverage: %zu edges, corpus %zu cases\n",
                   coverage_.edges(), corpus_.size());
    } else {
      std::fprintf(out_,
                   "mock-kong: blind: the plugin shares no coverage (a C++ plugin built with "
                   "kong_plugin_fuzz_coverage() does)\n");
    }
    if (!cases_by_kind_.empty()) {
      // How often each kind came up: a finding seen once in thousands of
      // cases is rare; one in most cases hides whatever lies behind it.
      std::string tally;
      for (const auto& [kind, cases] : cases_by_kind_)
        tally += fmt::format("{}{} {}", tally.empty() ? "" : ", ", cases, to_string(kind));
      std::fprintf(out_, "mock-kong: cases with findings (not counting shrinking): %s\n",
                   tally.c_str());
    }
    for (const std::string& title : flaky_) {
      std::fprintf(out_,
                   "mock-kong: flaky, not written: %s: met %d times, gone each time its case "
                   "ran again on its own\n",
                   title.c_str(), kConfirmTries);
    }
    if (unrunnable_ > 0) {
      std::fprintf(out_, "mock-kong: %llu fuzzed cases could not run; the first: %s\n",
                   static_cast<unsigned long long>(unrunnable_), first_unrunnable_.c_str());
    }
    if (!session_.down().empty())
      std::fprintf(out_, "mock-kong: stopped early: %s\n", session_.down().c_str());
    if (auto stopped = session_.stop(); !stopped)
      std::fprintf(stderr, "mock-kong: %s\n", stopped.error().message.c_str());
    if (written_.empty() && flaky_.empty()) {
      std::fprintf(out_, "no findings\n");
      return kAllPassed;
    }
    // A flaky finding is a bug too (one that needs the cases before it):
    // the run fails, with nothing to replay.
    if (written_.empty()) {
      std::fprintf(out_, "%zu flaky finding%s, none that replays\n", flaky_.size(),
                   flaky_.size() == 1 ? "" : "s");
    } else {
      std::fprintf(out_, "%zu finding%s in %s; replay one with: mock-kong --replay FILE %s\n",
                   written_.size(), written_.size() == 1 ? "" : "s", options_.out_dir.c_str(),
                   options_.plugin_hint.c_str());
    }
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

  // A case the corpus keeps: it reached code no case before it did.
  struct Input {
    Case c;
    std::vector<protocol::Comparison> comparisons;
    /// Those its parent did not make: the branches it newly reached.
    std::vector<protocol::Comparison> fresh;
  };

  // The newest inputs half the time: the last branch passed is the one to
  // build on.
  std::size_t pick() {
    const std::size_t n = corpus_.size();
    if (n > 1 && mutator_.random().chance(50))
      return n - 1 - mutator_.random().below(std::min<std::size_t>(n, 4));
    return mutator_.random().below(n);
  }

  Input input_of(const Case& c, const std::size_t* parent) const {
    Input input{c, {}, {}};
    // Only those a mutation can act on: the operand is in the request.
    for (const auto& made : coverage_.comparisons()) {
      if (operand_in(c, made))
        input.comparisons.push_back(made);
    }
    const auto& before =
        parent ? corpus_[*parent].comparisons : std::vector<protocol::Comparison>{};
    for (const auto& made : input.comparisons) {
      const bool old = std::any_of(before.begin(), before.end(), [&](const auto& b) {
        return b.constant == made.constant && b.size == made.size;
      });
      if (!old)
        input.fresh.push_back(made);
    }
    return input;
  }

  // `parent`: the corpus entry `c` was mutated from; none for the fixture's.
  void play(const Case& c, const std::size_t* parent) {
    const bool seed = parent == nullptr;
    ++runs_;
    coverage_.reset();
    const CaseResult result = run_and_check(c, session_);
    // A case that crashed or hung the server would do it again under most
    // mutations: the corpus keeps what ran to its end. Big requests are
    // slow to run traced, and their mutations too: the corpus keeps small.
    const bool ran = !result.unrunnable() && !result.run->fault;
    if ((coverage_.found_new() && ran && request_bytes(c) <= kMaxCorpusRequestBytes) || seed)
      corpus_.push_back(input_of(c, parent));
    if (result.unrunnable()) {
      if (unrunnable_++ == 0)
        first_unrunnable_ = result.mismatches.empty() ? "" : to_string(result.mismatches.front());
      return;
    }
    const auto findings = findings_of(result, options_.allow_errors);
    std::set<Finding::Kind> kinds;
    for (const Finding& f : findings)
      kinds.insert(f.kind);
    for (const Finding::Kind kind : kinds)
      ++cases_by_kind_[kind];
    for (const Finding& f : findings) {
      if (seen_.count(f.key()) == 0)
        confirm(c, f);
    }
  }

  void confirm(const Case& found, const Finding& f) {
    if (reproduces(found, f.key())) {
      seen_.insert(f.key());
      report(found, f);
    } else if (++unconfirmed_[f.key()] == kConfirmTries) {
      seen_.insert(f.key());
      flaky_.push_back(f.title());
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
    std::fprintf(out_, "%s\n      written to %s\n", indented(f.message, 6, 6).c_str(),
                 file.c_str());
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
    std::string stem = file_stem(f.title());
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
  CoverageFeedback& coverage_;
  std::uint64_t seed_;
  std::FILE* out_;
  CaseMutator mutator_;
  ProgressLine progress_;
  std::vector<Input> corpus_;
  std::set<std::string> seen_;
  std::map<std::string, int> unconfirmed_;
  std::vector<std::string> flaky_;
  std::map<Finding::Kind, std::uint64_t> cases_by_kind_;
  std::set<std::string> written_;
  std::uint64_t runs_ = 0;
  std::uint64_t unrunnable_ = 0;
  std::string first_unrunnable_;
};

}  // namespace

Result<std::unique_ptr<FixtureRun>> start_fuzz_run(const FuzzOptions& options,
                                                   SessionOptions session) {
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) {
    return Error{fmt::format("cannot create the findings directory {}: {}", options.out_dir,
                             error.message())};
  }
  on_interrupt([] { PluginSession::abandon_all(); });
  if (!session.output)
    session.output = [](const std::string&) {};
  // A fuzzer starts a crashed server again at once: it looks for the next
  // crash, and Kong's pace would spend its time waiting.
  session.respawn_spacing = {};
  return open_fixture_run(options.fixture_file, options.cases, options.server, session);
}

int fuzz(const FuzzOptions& options, std::FILE* out) {
  SessionOptions session = options.session;
  auto scratch = TempDir::create("mock-kong-fuzz");
  if (!scratch)
    return cannot_run(scratch.error().message);
  auto coverage = CoverageFeedback::create(scratch->path() + "/coverage.map");
  if (!coverage)
    return cannot_run(coverage.error().message);
  session.environment.emplace_back(protocol::kCoverageMapEnv, (*coverage)->file());
  auto run = start_fuzz_run(options, std::move(session));
  if (!run)
    return cannot_run(run.error().message);
  const std::uint64_t seed = options.seed.value_or(std::random_device{}());
  return Fuzzer(options, **run, **coverage, seed, out).go();
}

}  // namespace kong::mock
