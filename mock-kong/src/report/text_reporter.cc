// The PASS/FAIL lines mock-kong prints on a terminal.
#include <fmt/format.h>

#include "kong/mock/reporter.h"

#include "report/run_text.h"

namespace kong::mock {
namespace {

class TextReporter final : public Reporter {
 public:
  TextReporter(std::FILE* out, bool verbose) : out_(out), verbose_(verbose) {}

  void begin(const RunHeader& run) override {
    auto phases = [](const PluginInfo& plugin) {
      return plugin.phases.empty() ? std::string("none")
                                   : fmt::format("{}", fmt::join(plugin.phases, ", "));
    };
    const std::string cases = count_of(run.selected_cases, "case", "cases");
    if (run.chain.empty()) {
      print(fmt::format("mock-kong: {} {} ({}, phases: {}): {} from {}", run.plugin.name,
                        run.plugin.version, run.plugin.protocol, phases(run.plugin), cases,
                        run.fixture.file));
    } else {
      print(fmt::format("mock-kong: {} plugins, in Kong's order: {} from {}", run.chain.size(),
                        cases, run.fixture.file));
      for (const PluginInfo* plugin : run.chain) {
        print(fmt::format("  {} {} ({}, priority {}, phases: {})", plugin->name, plugin->version,
                          plugin->protocol, plugin->priority, phases(*plugin)));
      }
    }
    for (const PluginInfo* plugin : run.chain.empty() ? std::vector{&run.plugin} : run.chain) {
      for (const auto& warning : plugin->warnings)
        print(fmt::format("mock-kong: warning: {}{}", run.chain.empty() ? "" : plugin->name + ": ",
                          warning));
    }
  }

  void case_done(const Case&, const CaseResult& result) override {
    ++cases_;
    failed_ += result.passed() ? 0 : 1;
    print(fmt::format("{}  {}", result.passed() ? "PASS" : "FAIL", result.name));
    // A mismatch may hold lines of the plugin's output: each is indented.
    for (const auto& line : mismatch_lines(result))
      print(indented(line, 6, 8));
    if (result.run && (verbose_ || !result.passed())) {
      for (const auto& line : trace_lines(*result.run))
        print("      " + line);
      print("      " + response_line(*result.run));
    }
  }

  Status end() override {
    print(fmt::format("{}: {} passed, {} failed", count_of(cases_, "case", "cases"),
                      cases_ - failed_, failed_));
    return Ok{};
  }

 private:
  // One write per line: the plugin's relayed output interleaves by line.
  void print(const std::string& line) {
    const std::string out = line + "\n";
    std::fwrite(out.data(), 1, out.size(), out_);
  }

  std::FILE* out_;
  bool verbose_;
  std::size_t cases_ = 0;
  std::size_t failed_ = 0;
};

}  // namespace

std::unique_ptr<Reporter> text_reporter(std::FILE* out, bool verbose) {
  return std::make_unique<TextReporter>(out, verbose);
}

std::string count_of(std::size_t n, const char* singular, const char* plural) {
  return fmt::format("{} {}", n, n == 1 ? singular : plural);
}

}  // namespace kong::mock
