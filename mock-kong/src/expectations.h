#pragma once

#include <string>
#include <vector>

#include "kong/mock/fixture.h"

#include "lifecycle.h"

namespace kong::mock {

/// One difference between what a case expected and what happened.
struct Mismatch {
  std::string path;  // "expect.response.headers.x-hello-from-cpp"
  std::string expected;
  std::string actual;
};

/// Compares a case's run with its expectations. Only what the fixture names
/// is compared; header names ignore case. Errors Kong logged (a refused PDK
/// call, a failed handler) must be exactly `expect.errors`; without it they
/// are mismatches: a case passes only when the plugin ran cleanly.
std::vector<Mismatch> check_expectations(const Expectations& expect, const CaseRun& run);

}  // namespace kong::mock
