// mock-kong --fuzz-wire: a plugin server's socket fed what no Kong sends,
// and the server held to what Kong needs of it afterwards: an answer or a
// close, then the fixture's cases served as before, through the one case
// runner every mode uses.
#include "modes/fuzz_wire.h"

#include <unistd.h>

#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "kong/mock/case_runner.h"
#include "kong/mock/fixture_run.h"
#include "kong/mock/interrupt.h"

#include "fuzz/finding.h"
#include "fuzz/wire_exchange.h"
#include "fuzz/wire_mutator.h"
#include "modes/exit_status.h"
#include "report/progress_line.h"
#include "report/report_file.h"
#include "report/run_text.h"

namespace kong::mock {
namespace {

using Clock = std::chrono::steady_clock;

// How long a server that an input kills may take to die.
constexpr auto kDeathShowsWithin = std::chrono::seconds(1);

// "0000  94 00 01 b2 ..." lines of the first bytes, for the report.
std::string hex_excerpt(const std::string& bytes, std::size_t max = 64) {
  std::string out;
  for (std::size_t i = 0; i < std::min(bytes.size(), max); ++i) {
    if (i % 16 == 0)
      out += fmt::format("{}{:04x} ", i == 0 ? "" : "\n", i);
    out += fmt::format(" {:02x}", static_cast<unsigned char>(bytes[i]));
  }
  if (bytes.size() > max)
    out += fmt::format("\n... {} bytes in all", bytes.size());
  return out.empty() ? "(no bytes)" : out;
}

class WireFuzzer {
 public:
  WireFuzzer(const FuzzOptions& options, FixtureRun& run, std::uint64_t seed, std::FILE* out)
      : options_(options),
        run_(run),
        session_(*run.session),
        seed_(seed),
        out_(out),
        mutator_(target(*run.session), seed),
        progress_(::isatty(STDERR_FILENO) == 1, "fuzzing") {}

  int go() {
    // What the fixture's cases do before the wire is touched: afterwards
    // each must do the same.
    for (const Case* c : run_.cases) {
      const CaseResult result = run_and_check(*c, session_);
      if (result.errored()) {
        return cannot_run(fmt::format(
            "the fixture's case \"{}\" does not run to its end before any fuzzing: {}", c->name,
            result.mismatches.empty() ? "" : to_string(result.mismatches.front())));
      }
      passed_before_.push_back(result.passed());
    }
    const auto start = Clock::now();
    const auto deadline = options_.duration ? start + *options_.duration : Clock::time_point::max();
    while (!stopped() && (!options_.runs || runs_ < *options_.runs) && Clock::now() < deadline) {
      play(mutator_.next());
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      progress_.show(fmt::format("{} inputs, {:.0f} inputs/s, {} findings", runs_,
                                 seconds > 0 ? runs_ / seconds : 0, seen_.size()));
    }
    progress_.clear();
    if (interrupted())
      await_interrupt_exit();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::fprintf(out_,
                 "mock-kong: sent %s (%s) %llu malformed inputs in %.1f s (%.0f inputs/s), "
                 "seed %llu; after each, a case of the fixture\n",
                 session_.info().name.c_str(), std::string(to_string(session_.protocol())).c_str(),
                 static_cast<unsigned long long>(runs_), seconds,
                 seconds > 0 ? runs_ / seconds : 0.0, static_cast<unsigned long long>(seed_));
    std::fprintf(out_, "mock-kong: it answered %llu, closed on %llu\n",
                 static_cast<unsigned long long>(answered_),
                 static_cast<unsigned long long>(closed_));
    if (unexplained_deaths_ > 0) {
      std::fprintf(out_,
                   "mock-kong: flaky: the plugin server died %llu times where neither the input "
                   "before nor the one before that killed it again\n",
                   static_cast<unsigned long long>(unexplained_deaths_));
    }
    if (!session_.down().empty())
      std::fprintf(out_, "mock-kong: stopped early: %s\n", session_.down().c_str());
    if (auto stopped = session_.stop(); !stopped)
      std::fprintf(stderr, "mock-kong: %s\n", stopped.error().message.c_str());
    if (seen_.empty() && unexplained_deaths_ == 0) {
      std::fprintf(out_, "no findings\n");
      return kAllPassed;
    }
    std::fprintf(out_, "%zu finding%s in %s\n", seen_.size(), seen_.size() == 1 ? "" : "s",
                 options_.out_dir.c_str());
    return kSomeFailed;
  }

 private:
  static WireMutator::Target target(const PluginSession& session) {
    WireMutator::Target t;
    t.protocol = session.protocol();
    t.plugin_name = session.info().name;
    t.config = session.config_text();
    t.instance_id = session.instance_id();
    t.phases = session.phases();
    return t;
  }

  bool stopped() const { return interrupted() != 0 || !session_.down().empty(); }

  void play(const WireInput& input) {
    ++runs_;
    const WireExchange e = exchange_input(session_.socket_path(), session_.protocol(), input,
                                          options_.session.call_timeout);
    const Received received = take_apart(session_.protocol(), e.received);
    if (received.answers() > 0)
      ++answered_;
    if (e.closed)
      ++closed_;
    if (e.closed && session_.server_ended()) {
      session_.recover(ConnectionFault::closed);  // and started again
      crashed(input);
      previous_ = input;
      return;
    }
    if (!e.hang.empty()) {
      finding("hang", input,
              fmt::format("the plugin server {} within {} ms", e.hang,
                          options_.session.call_timeout.count()));
    } else if (auto wrong = check_answer(session_.protocol(), received); !wrong.empty()) {
      finding("bad answer", input,
              fmt::format("the plugin server sent {}; its first bytes:\n{}", wrong,
                          hex_excerpt(e.received)));
    }
    // The server must still serve as before: the next of the fixture's cases.
    const std::size_t at = runs_ % run_.cases.size();
    const CaseResult result = run_and_check(*run_.cases[at], session_);
    if (result.unrunnable())
      return;
    if (result.run->fault && result.run->fault->kind == ServerFault::Kind::crashed) {
      crashed(input);  // the case runner started it again
    } else if (result.run->fault) {
      const ServerFault& fault = *result.run->fault;
      finding(fault.kind == ServerFault::Kind::hung ? "hang after" : "protocol violation after",
              input,
              fmt::format("the plugin server failed the fixture's case \"{}\" run next: it {}",
                          run_.cases[at]->name, fault.message));
    } else if (result.passed() != passed_before_[at]) {
      finding(
          "stopped serving", input,
          fmt::format(
              "the fixture's case \"{}\" {} before, and {} after it:\n{}", run_.cases[at]->name,
              passed_before_[at] ? "passed" : "failed", result.passed() ? "passes" : "fails",
              result.mismatches.empty() ? std::string() : to_string(result.mismatches.front())));
    }
    previous_ = input;
  }

  // The server died after `input`, or while it answered the case after the
  // one before (a server may take a moment to die): the one of the two that
  // kills it again, started afresh, is the finding.
  void crashed(const WireInput& input) {
    const WireInput* before = previous_ ? &*previous_ : nullptr;
    for (const WireInput* suspect : {&input, before}) {
      if (suspect == nullptr)
        continue;
      if (seen_.count("crash on " + suspect->what) != 0)
        return;  // known: not tried again
      if (auto loss = kills(*suspect)) {
        finding("crash", *suspect,
                fmt::format("the plugin server {} after it{}", loss->how,
                            PluginSession::aftermath(*loss)));
        return;
      }
    }
    ++unexplained_deaths_;
  }

  // Whether `input` kills the server; how, if it does (and the server is
  // started again).
  std::optional<PluginSession::ServerLoss> kills(const WireInput& input) {
    exchange_input(session_.socket_path(), session_.protocol(), input,
                   options_.session.call_timeout);
    const auto until = Clock::now() + kDeathShowsWithin;
    do {
      if (session_.server_ended())
        return session_.recover(ConnectionFault::closed);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    } while (Clock::now() < until && session_.down().empty());
    return std::nullopt;
  }

  void finding(const std::string& kind, const WireInput& input, const std::string& message) {
    const std::string title = kind + " on " + input.what;
    if (!seen_.insert(title).second)
      return;
    const std::string file = fmt::format("{}/{}.bin", options_.out_dir, file_stem(title));
    if (auto ok = write_report_file(file, input.bytes, "a finding"); !ok)
      std::fprintf(stderr, "mock-kong: %s\n", ok.error().message.c_str());
    progress_.clear();
    std::fprintf(out_, "FOUND %s\n%s\n      sent:\n%s\n      written to %s\n", title.c_str(),
                 indented(message, 6, 6).c_str(), indented(hex_excerpt(input.bytes), 8, 8).c_str(),
                 file.c_str());
    std::fflush(out_);
  }

  const FuzzOptions& options_;
  FixtureRun& run_;
  PluginSession& session_;
  std::uint64_t seed_;
  std::FILE* out_;
  WireMutator mutator_;
  ProgressLine progress_;
  std::vector<bool> passed_before_;
  std::optional<WireInput> previous_;
  std::uint64_t unexplained_deaths_ = 0;
  /// The findings' titles, one file each.
  std::set<std::string> seen_;
  std::uint64_t runs_ = 0;
  std::uint64_t answered_ = 0;
  std::uint64_t closed_ = 0;
};

}  // namespace

int fuzz_wire(const FuzzOptions& options, std::FILE* out) {
  auto run = start_fuzz_run(options, options.session);
  if (!run)
    return cannot_run(run.error().message);
  if ((*run)->cases.empty())
    return cannot_run("the fixture has no cases to serve between the inputs");
  const std::uint64_t seed = options.seed.value_or(std::random_device{}());
  return WireFuzzer(options, **run, seed, out).go();
}

}  // namespace kong::mock
