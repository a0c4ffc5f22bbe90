#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kong::mock {

/// One file `mock-kong new` writes: its path in the new repository and its
/// text, with {{name}}, {{id}}, {{pdk_version}} and {{docs}} to fill in.
struct RepositoryTemplate {
  std::string_view path;
  std::string_view text;
};

/// mock-kong/templates/new, compiled in.
const std::vector<RepositoryTemplate>& repository_templates();

/// `mock-kong new DIR [--name NAME]`: writes a C++ plugin repository into
/// DIR (which must not exist, or be empty): the plugin, a fixture, unit
/// tests, CMake with kong_add_replay_test, a README. NAME defaults to DIR's
/// last component. Prints what it wrote and what to run next; returns the
/// exit status.
int new_repository(const std::string& dir, const std::string& name);

}  // namespace kong::mock
