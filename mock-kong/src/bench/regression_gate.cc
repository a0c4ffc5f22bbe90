#include "bench/regression_gate.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "bench/mann_whitney.h"

namespace kong::mock {
namespace {

std::vector<double> values_of(const CaseFigures& c, const Metric& m) {
  std::vector<double> values;
  for (const auto& t : c.trials)
    values.push_back(t.*m.field);
  return values;
}

GateRow decide_one(const CaseFigures& before, const CaseFigures& after, const GateLimit& limit,
                   double alpha) {
  const Metric& m = *limit.metric;
  GateRow row;
  row.case_name = after.name;
  row.metric = &m;
  row.max_change = limit.max_change;
  row.baseline = before.median().*m.field;
  row.now = after.median().*m.field;
  row.change = row.baseline != 0 ? (row.now - row.baseline) / row.baseline : 0;
  row.p_value = mann_whitney_p(values_of(before, m), values_of(after, m));
  // How much worse it got: for events/s, less is worse.
  const double worse = m.higher_is_better ? -row.change : row.change;
  const bool significant = row.p_value < alpha;
  if (std::abs(worse) <= limit.max_change)
    row.verdict = Verdict::no_change;
  else if (!significant)
    row.verdict = Verdict::inconclusive;
  else
    row.verdict = worse > 0 ? Verdict::regression : Verdict::improvement;
  return row;
}

const CaseFigures* find_case(const BenchReport& r, const std::string& name) {
  for (const auto& c : r.cases) {
    if (c.name == name)
      return &c;
  }
  return nullptr;
}

}  // namespace

Result<std::vector<GateLimit>> parse_max_regression(std::string_view spec) {
  std::vector<GateLimit> limits;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string_view part = spec.substr(start, comma - start);
    start = comma + 1;
    if (part.empty())
      continue;
    const std::size_t eq = part.find('=');
    auto bad = [&](const std::string& why) {
      return Error{fmt::format("--max-regression: {}: {}", part, why)};
    };
    if (eq == std::string_view::npos)
      return bad("expected METRIC=PERCENT%, e.g. cpu=5%");
    const std::string name(part.substr(0, eq));
    const Metric* metric = find_gated_metric(name);
    if (metric == nullptr) {
      std::vector<std::string> names;
      for (const Metric& m : metrics()) {
        if (!m.gate_name.empty())
          names.emplace_back(m.gate_name);
      }
      return bad(fmt::format("no metric {} (the metrics: {})", name, fmt::join(names, ", ")));
    }
    std::string number(part.substr(eq + 1));
    if (!number.empty() && number.back() == '%')
      number.pop_back();
    char* end = nullptr;
    const double percent = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !(percent >= 0) ||
        percent > 1000)
      return bad("the change allowed is a percentage from 0% to 1000%");
    limits.push_back({metric, percent / 100});
  }
  if (limits.empty())
    return Error{"--max-regression: no metric given, e.g. cpu=5%"};
  return limits;
}

std::vector<GateLimit> default_limits(bool instructions_counted) {
  std::vector<GateLimit> limits;
  for (const Metric& m : metrics()) {
    if (m.default_limit <= 0)
      continue;
    if (m.field == &TrialFigures::instructions && !instructions_counted)
      continue;
    limits.push_back({&m, m.default_limit});
  }
  return limits;
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::no_change:
      return "no change";
    case Verdict::improvement:
      return "improvement";
    case Verdict::regression:
      return "REGRESSION";
    case Verdict::inconclusive:
      return "inconclusive";
  }
  return "?";
}

bool GateResult::regressed() const {
  return std::any_of(rows.begin(), rows.end(),
                     [](const GateRow& r) { return r.verdict == Verdict::regression; });
}

GateResult decide(const BenchReport& baseline, const BenchReport& now,
                  const std::vector<GateLimit>& limits, double alpha) {
  GateResult result;
  std::vector<std::pair<const CaseFigures*, const CaseFigures*>> pairs;
  for (const auto& c : now.cases) {
    if (const CaseFigures* before = find_case(baseline, c.name))
      pairs.emplace_back(before, &c);
    else
      result.notes.push_back(fmt::format("{}: not in the baseline, not compared", c.name));
  }
  for (const auto& c : baseline.cases) {
    if (find_case(now, c.name) == nullptr)
      result.notes.push_back(fmt::format("{}: in the baseline only, not measured now", c.name));
  }
  // Overall only when it sums the same cases on both sides.
  if (pairs.size() > 1 && pairs.size() == now.cases.size() && pairs.size() == baseline.cases.size())
    pairs.emplace_back(&baseline.overall, &now.overall);
  for (const auto& [before, after] : pairs) {
    for (const GateLimit& limit : limits)
      result.rows.push_back(decide_one(*before, *after, limit, alpha));
  }
  return result;
}

void print_gate(std::FILE* out, const GateResult& result, const std::string& baseline_file,
                std::size_t baseline_trials, std::size_t now_trials) {
  std::fprintf(out, "gate: against %s (%zu trial%s), now %zu trial%s\n", baseline_file.c_str(),
               baseline_trials, baseline_trials == 1 ? "" : "s", now_trials,
               now_trials == 1 ? "" : "s");
  std::size_t name_width = 4;
  for (const auto& r : result.rows)
    name_width = std::max(name_width, r.case_name.size());
  name_width = std::min<std::size_t>(name_width, 40);
  std::fprintf(out, "%s\n",
               fmt::format("{:<{}}  {:<12}  {:>11}  {:>11}  {:>8}  {:>7}  {}", "case", name_width,
                           "metric", "baseline", "now", "change", "p-value", "verdict")
                   .c_str());
  std::string shown_case;
  for (const auto& r : result.rows) {
    std::string name = r.case_name == shown_case ? "" : r.case_name;
    if (name.size() > name_width)
      name = name.substr(0, name_width - 1) + "…";
    shown_case = r.case_name;
    const std::string metric =
        fmt::format("{} ±{:g}%", r.metric->gate_name, std::round(r.max_change * 1000) / 10);
    std::fprintf(
        out, "%s\n",
        fmt::format("{:<{}}  {:<12}  {:>11}  {:>11}  {:>+7.1f}%  {:>7.3f}  {}", name, name_width,
                    metric, format_metric(*r.metric, r.baseline), format_metric(*r.metric, r.now),
                    r.change * 100, r.p_value, to_string(r.verdict))
            .c_str());
  }
  for (const auto& note : result.notes)
    std::fprintf(out, "note: %s\n", note.c_str());
  if (std::min(baseline_trials, now_trials) < 4) {
    std::fprintf(out,
                 "note: with fewer than 4 trials a side no change can be significant: "
                 "--repeat 10 lets the gate decide\n");
  }
  std::size_t regressions = 0;
  std::size_t inconclusive = 0;
  for (const auto& r : result.rows) {
    regressions += r.verdict == Verdict::regression ? 1 : 0;
    inconclusive += r.verdict == Verdict::inconclusive ? 1 : 0;
  }
  if (regressions > 0) {
    std::fprintf(out, "mock-kong: %zu regression%s\n", regressions, regressions == 1 ? "" : "s");
  } else if (inconclusive > 0) {
    std::fprintf(out,
                 "mock-kong: no regression; %zu figure%s changed more than allowed but not "
                 "beyond the noise (more trials, --repeat, can tell)\n",
                 inconclusive, inconclusive == 1 ? "" : "s");
  } else {
    std::fprintf(out, "mock-kong: no regression\n");
  }
}

}  // namespace kong::mock
