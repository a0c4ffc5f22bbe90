// The PDK functions passing cases called (--coverage), for coverage across
// fixtures.
#include <algorithm>
#include <set>

#include "kong/mock/reporter.h"

#include "report/report_file.h"

namespace kong::mock {
namespace {

class CoverageReporter final : public Reporter {
 public:
  explicit CoverageReporter(std::string file) : file_(std::move(file)) {}

  void begin(const RunHeader&) override {}

  void case_done(const Case&, const CaseResult& result) override {
    // Passing cases only: a call that failed proves nothing about the function.
    if (!result.passed() || !result.run)
      return;
    const auto& exercised = result.run->state.exercised;
    for (std::size_t id = 0; id < exercised.size(); ++id) {
      if (exercised.test(id))
        called_.insert(static_cast<protocol::MethodId>(id));
    }
  }

  Status end() override {
    auto names = nlohmann::json::array();
    for (auto id : called_)
      names.push_back(protocol::info(id).name);
    std::sort(names.begin(), names.end());
    return write_report_file(file_, names.dump(2) + "\n", "the coverage file");
  }

 private:
  std::string file_;
  std::set<protocol::MethodId> called_;
};

}  // namespace

std::unique_ptr<Reporter> coverage_reporter(std::string file) {
  return std::make_unique<CoverageReporter>(std::move(file));
}

}  // namespace kong::mock
