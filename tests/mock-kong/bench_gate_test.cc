// The regression gate on this machine, as CI would run it: the one place
// where the suite measures time. Each test saves a baseline and runs the
// gate against it, all in this process tree, with no other test running
// (RUN_SERIAL). The gate pins mock-kong and the plugin to one CPU by default
// (--cpus): what makes CPU per event steady on a shared machine.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace kong::test {
namespace {

// Short trials, as a pull request's CI job would afford per case: the
// gate must still not cry wolf.
const std::string kTrials = " --concurrency 2 --warmup 0.1 --duration 0.2 --repeat 6";

class BenchGate : public ::testing::Test {
 protected:
  CommandResult Bench(const std::string& options, const std::string& environment = "") {
    return RunCommand(environment + std::string(kMockKongBin) + " --bench " +
                          Source("tests/plugins/cpu-burner.json") + kTrials + " " + options + " " +
                          kCpuBurnerBin,
                      std::chrono::minutes(2));
  }
  ScratchDir dir_;
};

TEST_F(BenchGate, ThePluginAgainstItsOwnBaselinePasses20TimesOutOf20OnCpuPerEvent) {
  const std::string baseline = dir_.file("baseline.json");
  const auto saved = Bench("--save-baseline " + baseline);
  ASSERT_EQ(saved.exit_code, 0) << saved.out;
  int passed = 0;
  std::string failures;
  for (int run = 0; run < 20; ++run) {
    const auto gate = Bench("--baseline " + baseline + " --max-regression cpu=5%");
    if (gate.exit_code == 0)
      ++passed;
    else
      failures += gate.out;
  }
  EXPECT_EQ(passed, 20) << failures;
}

TEST_F(BenchGate, APluginThirtyPercentMoreExpensivePerEventIsFlagged) {
  const std::string baseline = dir_.file("baseline.json");
  const auto saved = Bench("--save-baseline " + baseline);
  ASSERT_EQ(saved.exit_code, 0) << saved.out;
  const auto gate =
      Bench("--baseline " + baseline + " --max-regression cpu=5%", "KONG_TEST_BURN_PERCENT=130 ");
  EXPECT_EQ(gate.exit_code, 1) << gate.out;
  EXPECT_NE(gate.out.find("REGRESSION"), std::string::npos) << gate.out;
  EXPECT_NE(gate.out.find("mock-kong: 1 regression"), std::string::npos) << gate.out;
}

}  // namespace
}  // namespace kong::test
