#include "bench/instruction_count.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "kong/mock/case_runner.h"
#include "kong/mock/fixture_run.h"
#include "kong/mock/temp_dir.h"

#include "fixture/read_file.h"

namespace kong::mock {
namespace {

// Valgrind runs a server some 50 times slower: its waits are longer.
constexpr auto kValgrindTimeout = std::chrono::milliseconds(120000);

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0)
      return true;
  }
  return false;
}

// The instructions cachegrind counted, over every file it wrote into `dir`
// (one per process): each file's "summary: <Ir>" line.
std::uint64_t summed_counts(const std::string& dir, std::size_t& files) {
  std::uint64_t total = 0;
  files = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind("cachegrind.out.", 0) != 0)
      continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("summary:", 0) == 0) {
        total += std::stoull(line.substr(8));
        ++files;
      }
    }
  }
  return total;
}

std::string valgrind_log(const std::string& dir) {
  std::string text;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind("valgrind.", 0) != 0)
      continue;
    if (auto log = read_file(entry.path()))
      text += *log;
  }
  return text;
}

// One run under Valgrind: the total instructions of the server's
// processes, from start to exit, with `events` events of the case.
Result<std::uint64_t> counted_run(const std::string& fixture_file, const std::string& case_name,
                                  const ServerCommand& server, SessionOptions session,
                                  std::uint64_t events) {
  auto scratch = TempDir::create("mock-kong-instructions");
  if (!scratch)
    return scratch.error();
  const std::string dir = scratch->path();
  session.start_wrapper = {"valgrind",
                           "--tool=cachegrind",
                           "--cache-sim=no",
                           "--trace-children=yes",
                           "--cachegrind-out-file=" + dir + "/cachegrind.out.%p",
                           "--log-file=" + dir + "/valgrind.%p.log"};
  // What would make the count depend on time or chance: the C++ PDK's
  // busy-poll, Python's per-process string hashing.
  session.environment.emplace_back("KONG_PDK_BUSY_POLL_US", "0");
  session.environment.emplace_back("PYTHONHASHSEED", "0");
  session.start_timeout = std::max(session.start_timeout, kValgrindTimeout);
  session.call_timeout = std::max(session.call_timeout, kValgrindTimeout);
  session.case_timeout = std::chrono::milliseconds(0);
  auto run = open_fixture_run(fixture_file, {case_name}, server, session);
  if (!run)
    return Error{"under Valgrind: " + run.error().message};
  PluginSession& plugin = *(*run)->session;
  const Case& c = *(*run)->cases.front();
  for (std::uint64_t i = 0; i < events; ++i) {
    const CaseResult result = run_and_check(c, plugin);
    if (!result.passed()) {
      std::string why;
      for (const auto& m : result.mismatches)
        why += "\n  " + to_string(m);
      return Error{fmt::format("{}: wrong answer under Valgrind, event {}:{}", c.name, i + 1, why)};
    }
  }
  if (auto stopped = plugin.stop(); !stopped)
    return Error{"under Valgrind: " + stopped.error().message};
  std::size_t files = 0;
  const std::uint64_t total = summed_counts(dir, files);
  if (files == 0) {
    return Error{fmt::format("Valgrind wrote no instruction count for {}; its log:\n{}", case_name,
                             valgrind_log(dir))};
  }
  return total;
}

}  // namespace

Status instructions_countable() {
  if (!on_path("valgrind")) {
    return Error{
        "--instructions counts with Valgrind, which is not on PATH (Debian: apt-get install "
        "valgrind)"};
  }
  return Ok{};
}

Result<InstructionCount> count_instructions(const std::string& fixture_file,
                                            const std::string& case_name,
                                            const ServerCommand& server, SessionOptions session,
                                            std::uint64_t short_events, std::uint64_t long_events) {
  if (auto countable = instructions_countable(); !countable)
    return countable.error();
  InstructionCount count;
  count.short_events = short_events;
  count.long_events = long_events;
  auto short_run = counted_run(fixture_file, case_name, server, session, short_events);
  if (!short_run)
    return short_run.error();
  auto long_run = counted_run(fixture_file, case_name, server, session, long_events);
  if (!long_run)
    return long_run.error();
  count.short_total = *short_run;
  count.long_total = *long_run;
  count.per_event =
      (static_cast<double>(count.long_total) - static_cast<double>(count.short_total)) /
      static_cast<double>(long_events - short_events);
  return count;
}

}  // namespace kong::mock
