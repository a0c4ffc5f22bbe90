#include "kong/testing/matchers.h"

#include <stdexcept>

#include <fmt/format.h>

#include "kong/mock/expectations.h"

namespace kong::testing {
namespace {

using mock::CaseResult;
using mock::Expectations;
using mock::Mismatch;

// A case that did not run has nothing to compare: say why.
bool explain_unrunnable(const CaseResult& r, ::testing::MatchResultListener* listener) {
  if (r.run)
    return false;
  *listener << "the case did not run: " << (r.mismatches.empty() ? "" : r.mismatches[0].actual);
  return true;
}

void explain(const std::vector<Mismatch>& mismatches, ::testing::MatchResultListener* listener) {
  for (std::size_t i = 0; i < mismatches.size(); ++i)
    *listener << (i == 0 ? "" : "\n") << to_string(mismatches[i]);
}

// Compares what an Expectations names, as a fixture case's `expect` does.
class ExpectationMatcher final : public ::testing::MatcherInterface<const CaseResult&> {
 public:
  ExpectationMatcher(Expectations expect, std::string description)
      : expect_(std::move(expect)), description_(std::move(description)) {}

  bool MatchAndExplain(const CaseResult& r,
                       ::testing::MatchResultListener* listener) const override {
    if (explain_unrunnable(r, listener))
      return false;
    const auto mismatches = mock::check_named(expect_, *r.run);
    explain(mismatches, listener);
    return mismatches.empty();
  }
  void DescribeTo(std::ostream* os) const override { *os << description_; }
  void DescribeNegationTo(std::ostream* os) const override { *os << "not " << description_; }

 private:
  Expectations expect_;
  std::string description_;
};

Matcher expecting(Expectations expect, std::string description) {
  return ::testing::MakeMatcher(new ExpectationMatcher(std::move(expect), std::move(description)));
}

Expectations response(auto&& set) {
  Expectations e;
  e.response.emplace();
  set(*e.response);
  return e;
}

Expectations upstream(auto&& set) {
  Expectations e;
  e.service_request.emplace();
  set(*e.service_request);
  return e;
}

std::string json_quoted(const std::string& s) {
  return nlohmann::json(s).dump();
}

class PassesMatcher final : public ::testing::MatcherInterface<const CaseResult&> {
 public:
  bool MatchAndExplain(const CaseResult& r,
                       ::testing::MatchResultListener* listener) const override {
    explain(r.mismatches, listener);
    return r.passed();
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "passes its expectations with no Kong errors";
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "fails its expectations or logs Kong errors";
  }
};

// Kong's errors: all of them to a predicate.
class ErrorsMatcher final : public ::testing::MatcherInterface<const CaseResult&> {
 public:
  ErrorsMatcher(std::optional<std::string> text) : text_(std::move(text)) {}

  bool MatchAndExplain(const CaseResult& r,
                       ::testing::MatchResultListener* listener) const override {
    if (explain_unrunnable(r, listener))
      return false;
    const auto& errors = r.run->errors;
    bool matched = !text_ && errors.empty();
    for (const auto& e : errors)
      matched = matched || (text_ && e.find(*text_) != std::string::npos);
    *listener << (errors.empty() ? "Kong logged no errors"
                                 : "Kong logged errors " + nlohmann::json(errors).dump());
    return matched;
  }
  void DescribeTo(std::ostream* os) const override {
    if (text_)
      *os << "has a Kong error containing " << json_quoted(*text_);
    else
      *os << "has no Kong errors";
  }
  void DescribeNegationTo(std::ostream* os) const override {
    if (text_)
      *os << "has no Kong error containing " << json_quoted(*text_);
    else
      *os << "has Kong errors";
  }

 private:
  std::optional<std::string> text_;
};

// A header of the client's response, or of the request sent upstream.
Matcher expecting_header(bool upstream, mock::ExpectedHeader header, std::string description) {
  Expectations e;
  if (upstream)
    e.service_request.emplace().headers.push_back(std::move(header));
  else
    e.response.emplace().headers.push_back(std::move(header));
  return expecting(std::move(e), std::move(description));
}

}  // namespace

Matcher Passes() {
  return ::testing::MakeMatcher(new PassesMatcher());
}

Matcher Meets(mock::Expectations expect) {
  return expecting(std::move(expect), "meets the expectations");
}

Matcher Meets(std::string_view expect_json) {
  // Read as the `expect` of a one-case fixture: the fixture's own checks
  // and messages apply.
  const std::string text = fmt::format(
      R"({{"cases": [{{"name": "expectations", "request": {{"url": "http://localhost/"}}, "expect": {}}}]}})",
      expect_json);
  auto fixture = mock::parse_fixture(text, "expectations");
  if (!fixture)
    throw std::invalid_argument(fixture.error().message);
  return expecting(std::move(fixture->cases[0].expect),
                   "meets the expectations " + std::string(expect_json));
}

Matcher HasStatus(int status) {
  return expecting(response([&](auto& r) { r.status = status; }),
                   fmt::format("has response status {}", status));
}

Matcher HasHeader(std::string name, std::string value) {
  std::string description = fmt::format("has response header {}: {}", name, json_quoted(value));
  return expecting_header(false, {std::move(name), {{std::move(value)}}, false},
                          std::move(description));
}

Matcher HasHeaderValues(std::string name, std::vector<std::string> values) {
  std::string description =
      fmt::format("has response header {} with values {}", name, nlohmann::json(values).dump());
  return expecting_header(false, {std::move(name), std::move(values), true},
                          std::move(description));
}

Matcher LacksHeader(std::string name) {
  std::string description = "has no response header " + name;
  return expecting_header(false, {std::move(name), std::nullopt, false}, std::move(description));
}

Matcher HasBody(std::string body) {
  const std::string description = "has response body " + json_quoted(body);
  return expecting(response([&](auto& r) { r.body = std::move(body); }), description);
}

Matcher HasJsonBody(nlohmann::json body) {
  const std::string description = "has the JSON response body " + body.dump();
  return expecting(response([&](auto& r) { r.json_body = std::move(body); }), description);
}

Matcher HasUpstreamHeader(std::string name, std::string value) {
  std::string description =
      fmt::format("sends upstream the header {}: {}", name, json_quoted(value));
  return expecting_header(true, {std::move(name), {{std::move(value)}}, false},
                          std::move(description));
}

Matcher LacksUpstreamHeader(std::string name) {
  std::string description = "sends no header " + name + " upstream";
  return expecting_header(true, {std::move(name), std::nullopt, false}, std::move(description));
}

Matcher HasUpstreamPath(std::string path) {
  const std::string description = "sends upstream the path " + json_quoted(path);
  return expecting(upstream([&](auto& r) { r.path = std::move(path); }), description);
}

Matcher HasUpstreamBody(std::string body) {
  const std::string description = "sends upstream the body " + json_quoted(body);
  return expecting(upstream([&](auto& r) { r.body = std::move(body); }), description);
}

Matcher HasLogLine(std::string level, std::string text) {
  const std::string description =
      fmt::format("has a {} log line containing {}", level, json_quoted(text));
  Expectations e;
  e.log.push_back({std::move(level), std::move(text)});
  return expecting(std::move(e), description);
}

Matcher HasError(std::string text) {
  return ::testing::MakeMatcher(new ErrorsMatcher(std::move(text)));
}

Matcher HasNoErrors() {
  return ::testing::MakeMatcher(new ErrorsMatcher(std::nullopt));
}

Matcher RanPhases(std::vector<std::string> phases) {
  const std::string description = "ran the phases " + nlohmann::json(phases).dump();
  Expectations e;
  e.phases = std::move(phases);
  return expecting(std::move(e), description);
}

}  // namespace kong::testing

namespace kong::mock {

void PrintTo(const CaseResult& r, std::ostream* os) {
  *os << "case " << nlohmann::json(r.name).dump() << " ("
      << (r.unrunnable() ? "did not run"
          : r.passed()   ? "passed"
                         : "failed")
      << ")";
  if (!r.run)
    return;
  const auto& response = r.run->state.response;
  *os << ": response " << response.status << ", body "
      << nlohmann::json(response.body)
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!r.run->errors.empty())
    *os << ", Kong errors " << nlohmann::json(r.run->errors).dump();
}

}  // namespace kong::mock
