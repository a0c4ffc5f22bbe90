// A unit test and a replay cannot disagree: every case of every example's
// fixture, run in process and replayed over the socket, comes out the same.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// The library without MockPdk, whose 110 mock methods cost every file that
// includes them seconds of compile time.
#include "kong/testing/case.h"
#include "kong/testing/fixture.h"
#include "kong/testing/matchers.h"
#include "kong/testing/plugin.h"
#include "kong/testing/replay.h"

#include "header-key-auth/header_key_auth.h"
#include "hello/hello.h"
#include "log-serializer/log_serializer.h"
#include "response-transformer/response_transformer.h"
#include "support/test_support.h"

namespace kong::testing {
namespace {

struct Example {
  std::string name;
  std::string executable;
  std::function<std::unique_ptr<InProcessPlugin>(const nlohmann::json& config)> in_process;
};

template <class Config>
Example example(std::string name, std::string executable) {
  return {name, std::move(executable), [name](const nlohmann::json& config) {
            // Named as the executable, whose name Kong's error texts carry.
            return std::make_unique<InProcessPlugin>(Plugin<Config>(config, {.name = name}));
          }};
}

std::string Describe(const std::vector<mock::Mismatch>& mismatches) {
  std::string out;
  for (const auto& m : mismatches)
    out += to_string(m) + "\n";
  return out;
}

void ExpectSameOutcome(const mock::CaseResult& in_process, const mock::CaseResult& socket) {
  SCOPED_TRACE("case " + socket.name);
  EXPECT_EQ(in_process.passed(), socket.passed());
  EXPECT_EQ(Describe(in_process.mismatches), Describe(socket.mismatches));
  ASSERT_TRUE(in_process.run && socket.run);
  const mock::KongState& a = in_process.run->state;
  const mock::KongState& b = socket.run->state;
  EXPECT_EQ(in_process.run->phases_run, socket.run->phases_run);
  EXPECT_EQ(in_process.run->errors, socket.run->errors);
  EXPECT_EQ(a.response.status, b.response.status);
  EXPECT_EQ(a.response.headers.lines(), b.response.headers.lines());
  EXPECT_EQ(a.response.body, b.response.body);
  EXPECT_EQ(mock::upstream_request(a).headers.lines(), mock::upstream_request(b).headers.lines());
  EXPECT_EQ(mock::upstream_request(a).body, mock::upstream_request(b).body);
  ASSERT_EQ(a.trace.size(), b.trace.size());
  for (std::size_t i = 0; i < a.trace.size(); ++i) {
    SCOPED_TRACE("PDK call " + std::to_string(i) + ": " + b.trace[i].method);
    EXPECT_EQ(a.trace[i].method, b.trace[i].method);
    EXPECT_EQ(a.trace[i].args, b.trace[i].args);
    EXPECT_EQ(a.trace[i].result, b.trace[i].result);
    EXPECT_EQ(a.trace[i].error, b.trace[i].error);
  }
  ASSERT_EQ(a.log.size(), b.log.size());
  for (std::size_t i = 0; i < a.log.size(); ++i)
    EXPECT_EQ(a.log[i].message, b.log[i].message);
}

class ExamplesAgree : public ::testing::TestWithParam<Example> {};

TEST_P(ExamplesAgree, InProcessAndSocketRunsOfEveryFixtureCaseComeOutTheSame) {
  const Example& e = GetParam();
  const std::string file =
      std::string(kong::test::kSourceDir) + "/examples/" + e.name + "/fixtures/" + e.name + ".json";
  const ReplayResult socket = replay(file, {e.executable});
  ASSERT_TRUE(socket.ran()) << socket.error;
  const Fixture fixture = Fixture::load(file);
  ASSERT_EQ(socket.cases.size(), fixture.case_names().size());
  auto plugin = e.in_process(fixture.config());
  for (const auto& replayed : socket.cases)
    ExpectSameOutcome(plugin->run(fixture.case_named(replayed.name)), replayed);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ExamplesAgree,
    ::testing::Values(example<hello::Config>("hello", kong::test::kHelloBin),
                      example<header_key_auth::Config>("header-key-auth", KONG_HEADER_KEY_AUTH_BIN),
                      example<response_transformer::Config>("response-transformer",
                                                            KONG_RESPONSE_TRANSFORMER_BIN),
                      example<log_serializer::Config>("log-serializer", KONG_LOG_SERIALIZER_BIN)),
    [](const auto& info) {
      std::string name = info.param.name;
      std::erase(name, '-');
      return name;
    });

}  // namespace
}  // namespace kong::testing
