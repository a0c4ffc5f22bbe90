#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "kong/mock/case_runner.h"
#include "kong/mock/fixture.h"

/// GoogleTest matchers on a case's result. Each compares what it names, as a
/// fixture's `expect` does, and explains a failure with mock-kong's
/// mismatch lines ("expect.response.status: expected 201, got 200").
namespace kong::testing {

using Matcher = ::testing::Matcher<const mock::CaseResult&>;

/// The case met its own expectations (a fixture case's `expect`) and Kong
/// logged no error it did not expect: what makes `mock-kong --replay` PASS.
Matcher Passes();
/// Expectations written as a fixture's `expect` object (docs/fixtures.md):
/// `Meets(R"({"response": {"status": 403}, "log": [{"level": "warn", "contains": "denied"}]})")`.
/// Throws std::invalid_argument when the text is not one.
Matcher Meets(std::string_view expect_json);
Matcher Meets(mock::Expectations expect);

/// The response the client gets.
Matcher HasStatus(int status);
/// Its first value of header `name` (any case) is `value`.
Matcher HasHeader(std::string name, std::string value);
/// Every value of header `name`, in order.
Matcher HasHeaderValues(std::string name, std::vector<std::string> values);
Matcher LacksHeader(std::string name);
/// The exact body bytes.
Matcher HasBody(std::string body);
/// The body parsed as JSON equals `body` (key order and spacing ignored).
Matcher HasJsonBody(nlohmann::json body);

/// The request Kong sends upstream.
Matcher HasUpstreamHeader(std::string name, std::string value);
Matcher LacksUpstreamHeader(std::string name);
Matcher HasUpstreamPath(std::string path);
Matcher HasUpstreamBody(std::string body);

/// A kong.log line at `level` ("info", "err", ...) containing `text`.
Matcher HasLogLine(std::string level, std::string text);
/// An error Kong logged (a refused PDK call, a failed handler) contains `text`.
Matcher HasError(std::string text);
/// Kong logged no error.
Matcher HasNoErrors();
/// The phases whose handlers ran, in order.
Matcher RanPhases(std::vector<std::string> phases);

}  // namespace kong::testing

namespace kong::mock {
/// How GoogleTest shows a result: its outcome, response and Kong errors.
void PrintTo(const CaseResult& result, std::ostream* os);
}  // namespace kong::mock
