#include "bench/bench_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace kong::mock {
namespace {

constexpr std::string_view kFormat = "mock-kong-bench/1";

double us(std::chrono::nanoseconds d) {
  return static_cast<double>(d.count()) / 1e3;
}

// "61,234": thousands apart, as the eye reads throughput.
std::string with_separators(double value) {
  const std::string digits = fmt::format("{:.0f}", value);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-')
      grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

std::string format_kib(double kib) {
  return kib >= 1024 ? fmt::format("{:.1f} MiB", kib / 1024) : fmt::format("{:.0f} KiB", kib);
}

}  // namespace

TrialFigures figures_of(const TrialMeasure& m) {
  TrialFigures f;
  const double events = static_cast<double>(m.events);
  f.events = events;
  f.seconds = static_cast<double>(m.wall.count()) / 1e9;
  f.events_per_second = m.events_per_second();
  f.p50_us = us(m.latency.percentile(0.50));
  f.p90_us = us(m.latency.percentile(0.90));
  f.p99_us = us(m.latency.percentile(0.99));
  f.p999_us = us(m.latency.percentile(0.999));
  f.max_us = us(m.latency.max());
  if (m.events > 0) {
    f.server_cpu_us = us(m.server_cpu) / events;
    f.mock_kong_cpu_us = us(m.own_cpu) / events;
    f.pdk_calls = static_cast<double>(m.pdk_calls) / events;
  }
  f.rss_start_kib = static_cast<double>(m.rss_start_kib);
  f.rss_peak_kib = static_cast<double>(m.rss_peak_kib);
  f.rss_end_kib = static_cast<double>(m.rss_end_kib);
  return f;
}

double median_of(std::vector<double> values) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

const std::vector<Metric>& metrics() {
  static const std::vector<Metric> table = {
      {"events_per_second", "events/s", "eps", true, &TrialFigures::events_per_second, 0.05},
      {"p50_us", "p50", "p50", false, &TrialFigures::p50_us},
      {"p90_us", "p90", "p90", false, &TrialFigures::p90_us},
      {"p99_us", "p99", "p99", false, &TrialFigures::p99_us, 0.20},
      {"p99.9_us", "p99.9", "p99.9", false, &TrialFigures::p999_us},
      {"max_us", "max", "", false, &TrialFigures::max_us},
      {"server_cpu_us_per_event", "server CPU/ev", "cpu", false, &TrialFigures::server_cpu_us, 0.05,
       &TrialFigures::mock_kong_cpu_us},
      {"mock_kong_cpu_us_per_event", "mock-kong CPU/ev", "", false,
       &TrialFigures::mock_kong_cpu_us},
      {"pdk_calls_per_event", "PDK calls/ev", "calls", false, &TrialFigures::pdk_calls},
  };
  return table;
}

const Metric* find_gated_metric(std::string_view gate_name) {
  for (const Metric& m : metrics()) {
    if (!m.gate_name.empty() && m.gate_name == gate_name)
      return &m;
  }
  return nullptr;
}

TrialFigures CaseFigures::median() const {
  TrialFigures f;
  auto median_by = [&](double TrialFigures::*field) {
    std::vector<double> values;
    for (const auto& t : trials)
      values.push_back(t.*field);
    return median_of(std::move(values));
  };
  for (double TrialFigures::*field :
       {&TrialFigures::events, &TrialFigures::seconds, &TrialFigures::rss_start_kib,
        &TrialFigures::rss_peak_kib, &TrialFigures::rss_end_kib})
    f.*field = median_by(field);
  for (const Metric& m : metrics())
    f.*m.field = median_by(m.field);
  return f;
}

std::string format_count(double value) {
  return with_separators(value);
}

std::string format_metric(const Metric& m, double value) {
  if (m.field == &TrialFigures::events_per_second)
    return with_separators(value);
  if (m.field == &TrialFigures::pdk_calls)
    return fmt::format("{:.1f}", value);
  return format_microseconds(value);
}

std::string format_microseconds(double value) {
  if (value >= 1e6)
    return fmt::format("{:.2f} s", value / 1e6);
  if (value >= 1e3)
    return fmt::format("{:.2f} ms", value / 1e3);
  if (value >= 100)
    return fmt::format("{:.0f} µs", value);
  return fmt::format("{:.1f} µs", value);
}

namespace {

nlohmann::json trial_json(const TrialFigures& t) {
  nlohmann::json j = {{"events", t.events}, {"seconds", t.seconds}};
  for (const Metric& m : metrics())
    j[std::string(m.json_key)] = t.*m.field;
  j["server_rss_kib"] = {
      {"start", t.rss_start_kib}, {"peak", t.rss_peak_kib}, {"end", t.rss_end_kib}};
  return j;
}

nlohmann::json case_json(const CaseFigures& c) {
  nlohmann::json trials = nlohmann::json::array();
  for (const auto& t : c.trials)
    trials.push_back(trial_json(t));
  nlohmann::json j = {
      {"name", c.name}, {"median", trial_json(c.median())}, {"trials", std::move(trials)}};
  j["instructions_per_event"] = c.instructions ? nlohmann::json(*c.instructions) : nullptr;
  return j;
}

Result<TrialFigures> trial_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object())
    return Error{fmt::format("{}: not an object", where)};
  TrialFigures t;
  auto number = [&](const nlohmann::json& parent, std::string_view key, double& out) -> Status {
    const auto it = parent.find(key);
    if (it == parent.end() || !it->is_number())
      return Error{fmt::format("{}.{}: missing, or not a number", where, key)};
    out = it->get<double>();
    return Ok{};
  };
  for (const Metric& m : metrics()) {
    if (auto read = number(j, m.json_key, t.*m.field); !read)
      return read.error();
  }
  for (auto [key, field] :
       {std::pair{"events", &TrialFigures::events}, std::pair{"seconds", &TrialFigures::seconds}}) {
    if (auto read = number(j, key, t.*field); !read)
      return read.error();
  }
  if (const auto rss = j.find("server_rss_kib"); rss != j.end() && rss->is_object()) {
    t.rss_start_kib = rss->value("start", 0.0);
    t.rss_peak_kib = rss->value("peak", 0.0);
    t.rss_end_kib = rss->value("end", 0.0);
  }
  return t;
}

Result<CaseFigures> case_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string())
    return Error{fmt::format("{}: an object with a name", where)};
  CaseFigures c;
  c.name = j["name"].get<std::string>();
  const auto trials = j.find("trials");
  if (trials == j.end() || !trials->is_array() || trials->empty())
    return Error{fmt::format("{}.trials: missing, or empty", where)};
  for (std::size_t i = 0; i < trials->size(); ++i) {
    auto t = trial_from_json((*trials)[i], fmt::format("{}.trials[{}]", where, i));
    if (!t)
      return t.error();
    c.trials.push_back(*t);
  }
  if (const auto ir = j.find("instructions_per_event"); ir != j.end() && ir->is_number())
    c.instructions = ir->get<double>();
  return c;
}

}  // namespace

nlohmann::json to_json(const BenchReport& r) {
  nlohmann::json cases = nlohmann::json::array();
  for (const auto& c : r.cases)
    cases.push_back(case_json(c));
  nlohmann::json load = {{"concurrency", r.load.concurrency},
                         {"rate", r.load.rate ? nlohmann::json(*r.load.rate) : nullptr},
                         {"duration_s", r.duration_s ? nlohmann::json(*r.duration_s) : nullptr},
                         {"events", r.events ? nlohmann::json(*r.events) : nullptr},
                         {"warmup_s", r.warmup_s},
                         {"repeat", r.repeat},
                         {"cpus", r.cpus}};
  return {{"format", kFormat},
          {"plugin", r.plugin},
          {"protocol", r.protocol},
          {"fixture", r.fixture},
          {"load", std::move(load)},
          {"cases", std::move(cases)},
          {"overall", case_json(r.overall)}};
}

Result<BenchReport> bench_report_from_json(const nlohmann::json& j, const std::string& file) {
  if (!j.is_object() || j.value("format", "") != kFormat) {
    return Error{
        fmt::format("{}: not a mock-kong --bench report (\"format\": \"{}\")", file, kFormat)};
  }
  BenchReport r;
  r.plugin = j.value("plugin", "");
  r.protocol = j.value("protocol", "");
  r.fixture = j.value("fixture", "");
  if (const auto load = j.find("load"); load != j.end() && load->is_object()) {
    r.load.concurrency = load->value("concurrency", std::size_t{1});
    if (const auto rate = load->find("rate"); rate != load->end() && rate->is_number())
      r.load.rate = rate->get<double>();
    r.repeat = load->value("repeat", 1);
    if (const auto cpus = load->find("cpus"); cpus != load->end() && cpus->is_array()) {
      for (const auto& cpu : *cpus) {
        if (cpu.is_number_integer())
          r.cpus.push_back(cpu.get<int>());
      }
    }
  }
  const auto cases = j.find("cases");
  if (cases == j.end() || !cases->is_array())
    return Error{fmt::format("{}: cases: missing, or not an array", file)};
  for (std::size_t i = 0; i < cases->size(); ++i) {
    auto c = case_from_json((*cases)[i], fmt::format("{}: cases[{}]", file, i));
    if (!c)
      return c.error();
    r.cases.push_back(std::move(c).value());
  }
  const auto overall = j.find("overall");
  if (overall == j.end())
    return Error{fmt::format("{}: overall: missing", file)};
  auto o = case_from_json(*overall, file + ": overall");
  if (!o)
    return o.error();
  r.overall = std::move(o).value();
  return r;
}

void print_figures(std::FILE* out, const BenchReport& r) {
  std::size_t name_width = 7;  // "overall"
  for (const auto& c : r.cases)
    name_width = std::max(name_width, c.name.size());
  name_width = std::min<std::size_t>(name_width, 40);
  std::string heading = fmt::format("{:<{}}", "case", name_width);
  for (const Metric& m : metrics())
    heading += fmt::format("  {:>{}}", m.heading, std::max<std::size_t>(9, m.heading.size()));
  // Instructions are a column once they were counted.
  const bool counted = r.overall.instructions.has_value();
  if (counted)
    heading += "  instructions/ev";
  std::fprintf(out, "%s\n", heading.c_str());
  auto row = [&](const CaseFigures& c) {
    const TrialFigures f = c.median();
    std::string name = c.name.size() > name_width ? c.name.substr(0, name_width - 1) + "…" : c.name;
    std::string line = fmt::format("{:<{}}", name, name_width);
    for (const Metric& m : metrics()) {
      line += fmt::format("  {:>{}}", format_metric(m, f.*m.field),
                          std::max<std::size_t>(9, m.heading.size()));
    }
    if (counted)
      line += fmt::format("  {:>16}", c.instructions ? format_count(*c.instructions) : "-");
    std::fprintf(out, "%s\n", line.c_str());
  };
  for (const auto& c : r.cases)
    row(c);
  if (r.cases.size() > 1)
    row(r.overall);
  // The whole run's: its first trial's start, the most any trial saw, its
  // last trial's end.
  double peak = 0;
  for (const auto& t : r.overall.trials)
    peak = std::max(peak, t.rss_peak_kib);
  if (peak > 0) {
    std::fprintf(out, "server RSS: %s at start, %s at peak, %s at end\n",
                 format_kib(r.overall.trials.front().rss_start_kib).c_str(),
                 format_kib(peak).c_str(), format_kib(r.overall.trials.back().rss_end_kib).c_str());
  }
}

}  // namespace kong::mock
