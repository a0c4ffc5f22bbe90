#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/mock/fixture.h"

namespace kong::testing {

/// A fixture file (docs/fixtures.md), for running its cases from a test.
class Fixture {
 public:
  /// Reads and checks the file; throws std::runtime_error with mock-kong's
  /// message (file, JSON path, problem) when it is not a valid fixture.
  static Fixture load(const std::string& file);

  /// The plugin configuration the fixture gives.
  const nlohmann::json& config() const { return fixture_.config; }
  /// The case named `name`; throws std::out_of_range listing the names there are.
  const mock::Case& case_named(std::string_view name) const;
  std::vector<std::string> case_names() const;
  const mock::Fixture& fixture() const { return fixture_; }

 private:
  explicit Fixture(mock::Fixture f) : fixture_(std::move(f)) {}
  mock::Fixture fixture_;
};

}  // namespace kong::testing
