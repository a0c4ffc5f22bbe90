// mock-kong's JSON Schema subset (fixture/json_schema.h), held against the
// official JSON-Schema-Test-Suite (Debian json-schema-test-suite) for each
// keyword it claims. The suite's draft 7 tests: for these keywords, in the
// forms the subset takes, draft 7 and 2020-12 agree. A group whose schema
// uses a keyword or form outside the subset is refused by the validator
// ("schema: ..."), and counted as skipped, not passed.
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fixture/json_schema.h"

namespace kong::mock {
namespace {

const std::string kSuite = "/usr/share/json-schema-test-suite/tests/draft7/";

class JsonSchemaTestSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(JsonSchemaTestSuite, TheSubsetAgreesWithEveryTestOfTheKeywordItTakes) {
  const std::string file = kSuite + GetParam() + ".json";
  std::ifstream in(file);
  ASSERT_TRUE(in) << file << " is missing: scripts/install-deps --tests installs it";
  const auto groups = nlohmann::json::parse(in);
  int ran = 0;
  int skipped = 0;
  for (const auto& group : groups) {
    const std::string what = GetParam() + ": " + group["description"].get<std::string>();
    std::vector<Status> results;
    for (const auto& test : group["tests"])
      results.push_back(validate_json(test["data"], group["schema"]));
    // A keyword or form outside the subset shows on some instance.
    const bool outside = std::any_of(results.begin(), results.end(), [](const Status& r) {
      return !r && r.error().message.starts_with("schema: ");
    });
    if (outside) {
      ++skipped;
      continue;
    }
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& test = group["tests"][i];
      EXPECT_EQ(results[i].ok(), test["valid"].get<bool>())
          << what << " / " << test["description"].get<std::string>() << ": "
          << (results[i] ? std::string("valid") : results[i].error().message);
      ++ran;
    }
  }
  std::printf("%s: %d tests run, %d groups outside the subset\n", GetParam().c_str(), ran, skipped);
  EXPECT_GT(ran, 0) << "no group of " << file << " is inside the subset";
}

INSTANTIATE_TEST_SUITE_P(ClaimedKeywords, JsonSchemaTestSuite,
                         ::testing::Values("type", "properties", "required", "additionalProperties",
                                           "items", "minItems", "enum", "const", "minimum",
                                           "maximum", "oneOf", "anyOf", "ref"));

}  // namespace
}  // namespace kong::mock
