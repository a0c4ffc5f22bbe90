// What loading a fixture costs as it grows, hostile shapes included: each
// benchmark fits its complexity, which must come out linear (O(N)) in the
// file's size. A quadratic parse once hid here (200,000 `{}` took 11 s).

#include <string>

#include <benchmark/benchmark.h>

#include "kong/mock/fixture.h"

namespace {

std::string Cases(std::int64_t n) {
  std::string text = R"({"cases": [)";
  for (std::int64_t i = 0; i < n; ++i) {
    text += (i ? "," : "");
    text += R"({"name": "case )" + std::to_string(i) +
            R"(", "request": {"url": "http://a/?q=1", "headers": {"x-a": ["1", "2"]}}})";
  }
  return text + "]}";
}

// Siblings: an array of n empty objects in the plugin's config.
std::string Siblings(std::int64_t n) {
  std::string text = R"({"config": {"a": [)";
  for (std::int64_t i = 0; i < n; ++i)
    text += i ? ",{}" : "{}";
  return text + R"(]}, "cases": [{"name": "x", "request": {"url": "http://a/"}}]})";
}

// Nesting past the limit: refused, after reading only up to the limit.
std::string Nested(std::int64_t n) {
  return R"({"config": )" + std::string(n, '[') + std::string(n, ']') + "}";
}

template <std::string (*Make)(std::int64_t)>
void BM_ParseFixture(benchmark::State& state) {
  const std::string text = Make(state.range(0));
  bool loaded = false;
  for (auto _ : state) {
    auto fixture = kong::mock::parse_fixture(text, "bench.json");
    loaded = static_cast<bool>(fixture);
    benchmark::DoNotOptimize(fixture);
  }
  state.counters["loaded"] = loaded;
  state.counters["bytes"] = static_cast<double>(text.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.SetComplexityN(state.range(0));
}

BENCHMARK(BM_ParseFixture<Cases>)
    ->Name("FixtureLoad/cases")
    ->RangeMultiplier(4)
    ->Range(1 << 8, 1 << 14)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oAuto);
BENCHMARK(BM_ParseFixture<Siblings>)
    ->Name("FixtureLoad/sibling_objects")
    ->RangeMultiplier(4)
    ->Range(1 << 12, 1 << 20)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oAuto);
BENCHMARK(BM_ParseFixture<Nested>)
    ->Name("FixtureLoad/nested_refused")
    ->RangeMultiplier(4)
    ->Range(1 << 12, 1 << 20)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oAuto);

}  // namespace

BENCHMARK_MAIN();
