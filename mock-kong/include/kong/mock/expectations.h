#pragma once

#include <string>
#include <vector>

#include "kong/mock/fixture.h"
#include "kong/mock/lifecycle.h"

namespace kong::mock {

/// One difference between what a case expected and what happened.
struct Mismatch {
  std::string path;      // "expect.response.headers.x-hello-from-cpp"
  std::string expected;  // empty when `actual` tells it all (a crashed server)
  std::string actual;
};

/// Compares a case's run with its expectations. Only what the fixture names
/// is compared; header names ignore case. Errors Kong logged (a refused PDK
/// call, a failed handler) must be exactly `expect.errors`; without it they
/// are mismatches: a case passes only when the plugin ran cleanly.
std::vector<Mismatch> check_expectations(const Expectations& expect, const CaseRun& run);

/// Compares only what `expect` names: errors Kong logged are compared only
/// when `expect.errors` is given. For assertions on one aspect of a run
/// (kong::testing's matchers).
std::vector<Mismatch> check_named(const Expectations& expect, const CaseRun& run);

/// "expect.response.status: expected 201, got 200", as reports print it;
/// "<path>: <actual>" without an expectation.
std::string to_string(const Mismatch& m);

}  // namespace kong::mock
