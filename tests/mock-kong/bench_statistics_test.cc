// The bench's statistics on their own: the latency histogram's error bound
// and the Mann-Whitney U test's p-values, against values computed exactly.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "bench/latency_histogram.h"
#include "bench/mann_whitney.h"
#include "bench/regression_gate.h"

namespace kong::mock {
namespace {

using std::chrono::nanoseconds;

TEST(LatencyHistogram, PercentilesAreWithinOnePercentFromAMicrosecondToSixtySeconds) {
  std::mt19937_64 random(7);
  // Log-uniform: as many latencies in each decade.
  std::uniform_real_distribution<double> exponent(3, std::log10(60e9));
  std::vector<std::int64_t> exact;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto ns = static_cast<std::int64_t>(std::pow(10, exponent(random)));
    exact.push_back(ns);
    h.record(nanoseconds(ns));
  }
  std::sort(exact.begin(), exact.end());
  for (double p : {0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(exact.size())));
    const double want = static_cast<double>(exact[rank - 1]);
    const double got = static_cast<double>(h.percentile(p).count());
    EXPECT_LE(std::abs(got - want) / want, 0.01) << "p" << p * 100;
  }
  EXPECT_EQ(h.max().count(), exact.back());
  EXPECT_EQ(h.min().count(), exact.front());
  EXPECT_EQ(h.count(), 100000u);
}

TEST(LatencyHistogram, MergedHistogramsGiveThePercentilesOfAllTheirLatencies) {
  LatencyHistogram fast, slow;
  for (int i = 0; i < 90; ++i)
    fast.record(nanoseconds(10000));
  for (int i = 0; i < 10; ++i)
    slow.record(nanoseconds(5000000));
  fast.merge(slow);
  EXPECT_EQ(fast.count(), 100u);
  EXPECT_NEAR(static_cast<double>(fast.percentile(0.9).count()), 10000, 100);
  EXPECT_NEAR(static_cast<double>(fast.percentile(0.91).count()), 5000000, 50000);
}

TEST(MannWhitney, SamplesThatDoNotOverlapHaveTheExactTwoSidedPValue) {
  // Of the C(10, 5) = 252 orderings, 2 are this far apart.
  EXPECT_NEAR(mann_whitney_p({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), 2.0 / 252, 1e-12);
  EXPECT_NEAR(mann_whitney_p({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}), 2.0 / 252, 1e-12);
  // Three a side can never be significant at 5 %: 2 of 20.
  EXPECT_NEAR(mann_whitney_p({1, 2, 3}, {4, 5, 6}), 0.1, 1e-12);
}

TEST(MannWhitney, InterleavedSamplesAreNotSignificant) {
  EXPECT_GT(mann_whitney_p({1, 3, 5, 7, 9}, {2, 4, 6, 8, 10}), 0.5);
  EXPECT_DOUBLE_EQ(mann_whitney_p({4, 4, 4}, {4, 4, 4}), 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_p({}, {1, 2}), 1.0);
}

TEST(MannWhitney, LargeSamplesWithTiesUseTheNormalApproximation) {
  // 30 a side, entirely apart, with ties: z = (450 - 0.5) / sigma.
  std::vector<double> a(30, 1.0), b(30, 2.0);
  const double p = mann_whitney_p(a, b);
  EXPECT_LT(p, 1e-10);
  EXPECT_GT(p, 0);
}

TEST(RegressionGate, MaxRegressionReadsEachMetricAndItsPercentage) {
  auto limits = parse_max_regression("cpu=5%,p99=20%,eps=5");
  ASSERT_TRUE(limits) << limits.error().message;
  ASSERT_EQ(limits->size(), 3u);
  EXPECT_EQ((*limits)[0].metric->gate_name, "cpu");
  EXPECT_DOUBLE_EQ((*limits)[0].max_change, 0.05);
  EXPECT_DOUBLE_EQ((*limits)[1].max_change, 0.20);
  EXPECT_EQ((*limits)[2].metric->gate_name, "eps");
  EXPECT_FALSE(parse_max_regression("cpu"));
  EXPECT_FALSE(parse_max_regression("cpu=five%"));
  EXPECT_FALSE(parse_max_regression(""));
}

BenchReport report_of(const std::vector<double>& cpu_per_event) {
  BenchReport r;
  CaseFigures c;
  c.name = "the case";
  for (double cpu : cpu_per_event) {
    TrialFigures t;
    t.server_cpu_us = cpu;
    t.events_per_second = 1e6 / cpu;
    c.trials.push_back(t);
  }
  r.cases.push_back(c);
  r.overall = c;
  return r;
}

TEST(RegressionGate, AChangeIsARegressionOnlyWhenSignificantAndBeyondItsLimit) {
  const auto limits = *parse_max_regression("cpu=5%");
  const BenchReport before = report_of({10.0, 10.1, 9.9, 10.05, 9.95, 10.02});
  auto verdict = [&](const std::vector<double>& now) {
    return decide(before, report_of(now), limits).rows.at(0).verdict;
  };
  EXPECT_EQ(verdict({13.0, 13.1, 12.9, 13.05, 12.95, 13.02}), Verdict::regression);
  EXPECT_EQ(verdict({7.0, 7.1, 6.9, 7.05, 6.95, 7.02}), Verdict::improvement);
  // Significant, but within 5 %.
  EXPECT_EQ(verdict({10.3, 10.4, 10.2, 10.35, 10.25, 10.32}), Verdict::no_change);
  // 30 % worse at the median, but the trials overlap the baseline's.
  EXPECT_EQ(verdict({13.0, 9.9, 10.0, 13.1, 12.9, 10.1}), Verdict::inconclusive);
}

TEST(RegressionGate, ADriftJustBeyondTheLimitThatTheTrialsCannotSeparateFromItIsNoRegression) {
  const auto limits = *parse_max_regression("cpu=5%");
  const BenchReport before = report_of({10.0, 10.1, 9.9, 10.05, 9.95, 10.02});
  // +5.5 % at the median, trials from +2 % to +9 %.
  const auto row =
      decide(before, report_of({10.2, 10.9, 10.5, 10.6, 10.3, 10.8}), limits).rows.at(0);
  EXPECT_GT(row.change, 0.05);
  EXPECT_EQ(row.verdict, Verdict::inconclusive);
  EXPECT_GT(*row.p_value, 0.05);
}

TEST(MannWhitney, TheOneSidedPValueIsHalfTheTwoSidedOnTheSideTheSamplesLie) {
  EXPECT_NEAR(mann_whitney_greater_p({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}), 1.0 / 252, 1e-12);
  EXPECT_NEAR(mann_whitney_greater_p({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), 1.0, 1e-12);
}

TEST(RegressionGate, FewerEventsASecondIsTheRegressionForThroughput) {
  const auto limits = *parse_max_regression("eps=5%");
  const auto result =
      decide(report_of({10, 10, 10, 10, 10.1}), report_of({13, 13, 13, 13, 13.1}), limits);
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_LT(result.rows[0].change, -0.2);
  EXPECT_EQ(result.rows[0].verdict, Verdict::regression);
  EXPECT_TRUE(result.regressed());
}

TEST(RegressionGate, ARegressionStandsOnlyWhenASecondMeasurementFindsItToo) {
  const auto limits = *parse_max_regression("cpu=5%");
  const BenchReport before = report_of({10.0, 10.1, 9.9, 10.05, 9.95, 10.02});
  const GateResult slow_spell =
      decide(before, report_of({11.4, 11.5, 11.3, 11.45, 11.35, 11.4}), limits);
  ASSERT_TRUE(slow_spell.regressed_on_measure());
  const GateResult calm_again =
      decide(before, report_of({10.1, 10.2, 10.0, 10.15, 10.05, 10.1}), limits);
  const GateResult unconfirmed = confirm(slow_spell, calm_again);
  EXPECT_FALSE(unconfirmed.regressed());
  EXPECT_EQ(unconfirmed.rows.at(0).verdict, Verdict::inconclusive);
  ASSERT_EQ(unconfirmed.notes.size(), 1u);
  EXPECT_EQ(unconfirmed.notes[0],
            "cpu of the case: +13.9%, beyond its limit; +0.9% when measured again: not confirmed");

  const GateResult slower_again =
      decide(before, report_of({13.0, 13.1, 12.9, 13.05, 12.95, 13.02}), limits);
  EXPECT_TRUE(confirm(slow_spell, slower_again).regressed());
}

// Trials of a run pinned to `cpus`: the server's CPU per event, and
// mock-kong's own, trial by trial, at `calls` PDK calls per event.
BenchReport pinned_report(const std::vector<double>& server, const std::vector<double>& mock_kong,
                          std::vector<int> cpus, double calls = 2) {
  BenchReport r = report_of(server);
  for (std::size_t i = 0; i < server.size(); ++i) {
    r.cases[0].trials[i].mock_kong_cpu_us = mock_kong.at(i);
    r.cases[0].trials[i].pdk_calls = calls;
  }
  r.overall = r.cases[0];
  r.cpus = std::move(cpus);
  return r;
}

// Measured on this machine: pinned to one CPU, a slow spell added ~8 µs per
// event to the server and to mock-kong alike.
const std::vector<double> kServer = {70.1, 70.9, 69.8, 70.4, 70.0, 70.6};
const std::vector<double> kMockKong = {20.1, 20.8, 19.9, 20.3, 20.0, 20.6};
const std::vector<double> kSpellServer = {78.2, 79.0, 77.9, 78.5, 78.1, 78.8};
const std::vector<double> kSpellMockKong = {28.2, 28.9, 28.0, 28.4, 28.1, 28.7};

TEST(RegressionGate, OnOneCpuWhatMockKongsOwnCpuAlsoGainedIsTheMachinesNotThePlugins) {
  const auto limits = *parse_max_regression("cpu=5%");
  const BenchReport before = pinned_report(kServer, kMockKong, {1});
  const GateResult spell = decide(before, pinned_report(kSpellServer, kSpellMockKong, {1}), limits);
  const GateRow& row = spell.rows.at(0);
  EXPECT_EQ(row.verdict, Verdict::no_change);
  EXPECT_LT(std::abs(row.change), 0.01);
  ASSERT_TRUE(row.measured_change);
  EXPECT_GT(*row.measured_change, 0.10);
  EXPECT_NEAR(row.driver_moved, 8.1, 0.05);
  ASSERT_EQ(spell.notes.size(), 1u);
  EXPECT_NE(spell.notes[0].find("cpu of the case: +11.5% as measured"), std::string::npos)
      << spell.notes[0];

  // The plugin itself 10 µs dearer, in a slow spell or not.
  std::vector<double> dearer = kSpellServer;
  for (double& cpu : dearer)
    cpu += 10;
  EXPECT_EQ(decide(before, pinned_report(dearer, kSpellMockKong, {1}), limits).rows.at(0).verdict,
            Verdict::regression);
}

TEST(RegressionGate, TheServersCpuIsComparedAsMeasuredUnpinnedOrWhenThePdkCallsChanged) {
  const auto limits = *parse_max_regression("cpu=5%");
  // On two CPUs the two do not take turns: their figures do not move together.
  const GateResult unpinned = decide(pinned_report(kServer, kMockKong, {0, 1}),
                                     pinned_report(kSpellServer, kSpellMockKong, {0, 1}), limits);
  EXPECT_EQ(unpinned.rows.at(0).verdict, Verdict::regression);
  EXPECT_FALSE(unpinned.rows.at(0).measured_change);

  // Another call per event is more work for mock-kong too.
  const GateResult more_calls = decide(pinned_report(kServer, kMockKong, {1}, 2),
                                       pinned_report(kSpellServer, kSpellMockKong, {1}, 3), limits);
  EXPECT_EQ(more_calls.rows.at(0).verdict, Verdict::regression);
  ASSERT_EQ(more_calls.notes.size(), 1u);
  EXPECT_EQ(more_calls.notes[0],
            "cpu of the case: compared as measured: the PDK calls per event changed (2.0 -> 3.0), "
            "and mock-kong's work with them");
}

}  // namespace
}  // namespace kong::mock
