// The fuzzer's mutations and shrinking, in process.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "kong/mock/fixture.h"

#include "fixture/fixture_writer.h"
#include "fuzz/case_mutator.h"
#include "fuzz/shrink.h"

namespace kong::mock {
namespace {

Fixture BaseFixture() {
  auto fixture = parse_fixture(R"({
    "config": {"header_name": "X-Secret", "limits": [10, 20]},
    "trusted_ips": ["10.0.0.0/8"],
    "consumers": [{"id": "5e1c8b0a-1d2e-4f3a-8b9c-0d1e2f3a4b5c", "username": "ann"}],
    "fuzz": {"dictionary": ["magic-token"]},
    "cases": [
      {"name": "get", "request": {"url": "http://api.test/v1/items?page=2&tag",
                                  "headers": {"Accept": "application/json", "X-A": ["1", "2"]}}},
      {"name": "post", "request": {"method": "POST", "url": "https://api.test/v1/items",
                                   "headers": {"Content-Type": "application/json"},
                                   "body": "{\"name\": \"pen\"}"}}]})",
                               "base.json");
  EXPECT_TRUE(fixture.ok()) << fixture.error().message;
  return std::move(fixture).value();
}

CaseMutator MutatorFor(const Fixture& fixture, std::uint64_t seed) {
  return CaseMutator({fuzz_dictionary(fixture), fixture.kong->trusted_ips, fixture.kong->consumers,
                      /*stream=*/true},
                     seed);
}

TEST(FuzzMutation, EveryMutatedCaseIsOneTheFixtureLoaderTakes) {
  const Fixture base = BaseFixture();
  CaseMutator mutator = MutatorFor(base, 7);
  Fixture written = base;
  std::set<std::string> urls;
  for (int i = 0; i < 2000; ++i) {
    Case c = mutator.mutate(base.cases[i % 2]);
    c.name = "m" + std::to_string(i);
    urls.insert(c.request.url);
    written.cases = {c};
    const auto back = parse_fixture(fixture_to_json(written).dump(), "mutated.json");
    ASSERT_TRUE(back.ok()) << back.error().message << "\n" << case_to_json(c).dump(2);
  }
  EXPECT_GT(urls.size(), 300u);  // the URL does change
}

TEST(FuzzMutation, TheSameSeedMakesTheSameCases) {
  const Fixture base = BaseFixture();
  CaseMutator a = MutatorFor(base, 42);
  CaseMutator b = MutatorFor(base, 42);
  CaseMutator other = MutatorFor(base, 43);
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    const Case x = a.mutate(base.cases[0]);
    EXPECT_EQ(x, b.mutate(base.cases[0])) << i;
    differ += x == other.mutate(base.cases[0]) ? 0 : 1;
  }
  EXPECT_GT(differ, 150);
}

TEST(FuzzMutation, TheDictionaryHoldsTheConfigsAndCasesStrings) {
  const auto words = fuzz_dictionary(BaseFixture());
  const std::set<std::string> set(words.begin(), words.end());
  for (const char* word : {"X-Secret", "header_name", "20", "magic-token", "page", "2", "tag", "v1",
                           "items", "Accept", "application/json", "name", "pen"}) {
    EXPECT_TRUE(set.count(word)) << word;
  }
}

TEST(FuzzShrink, KeepsOnlyWhatTheFindingNeeds) {
  Case c;
  c.request.url = "http://a/p?x=1&y=2&z=3";
  c.request.method = "POST";
  c.request.body = std::string(5000, 'b');
  for (int i = 0; i < 40; ++i)
    c.request.headers.emplace_back("X-" + std::to_string(i), "value");
  c.request.headers.emplace_back("X-Note", std::string(3000, 'n'));
  c.consumer = {{"id", "c"}};
  // The "bug": an X-Note longer than 64 bytes and a y argument.
  int runs = 0;
  const auto reproduces = [&runs](const Case& x) {
    ++runs;
    bool y = x.request.url.find("y=") != std::string::npos;
    for (const auto& [name, value] : x.request.headers) {
      if (name == "X-Note" && value.size() > 64 && y)
        return true;
    }
    return false;
  };
  const Case small = shrink_case(c, reproduces, 500);
  ASSERT_EQ(small.request.headers.size(), 1u);
  EXPECT_EQ(small.request.headers[0].first, "X-Note");
  EXPECT_LE(small.request.headers[0].second.size(), 128u);
  EXPECT_EQ(small.request.url, "http://a/p?y=2");
  EXPECT_EQ(small.request.body, "");
  EXPECT_EQ(small.request.method, "GET");
  EXPECT_TRUE(small.consumer.is_null());
  EXPECT_LE(runs, 500);
}

TEST(FuzzShrink, StopsAtItsBudget) {
  Case c;
  for (int i = 0; i < 100; ++i)
    c.request.headers.emplace_back("X-" + std::to_string(i), "v");
  int runs = 0;
  shrink_case(
      c, [&runs](const Case&) { return ++runs, false; }, 10);
  EXPECT_EQ(runs, 10);
}

}  // namespace
}  // namespace kong::mock
