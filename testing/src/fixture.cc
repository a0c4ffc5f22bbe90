#include "kong/testing/fixture.h"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kong::testing {

Fixture Fixture::load(const std::string& file) {
  auto fixture = mock::load_fixture(file);
  if (!fixture)
    throw std::runtime_error(fixture.error().message);
  return Fixture(std::move(fixture).value());
}

const mock::Case& Fixture::case_named(std::string_view name) const {
  for (const auto& c : fixture_.cases) {
    if (c.name == name)
      return c;
  }
  throw std::out_of_range(fmt::format("{}: no case named \"{}\"; its cases: \"{}\"", fixture_.file,
                                      name, fmt::join(case_names(), "\", \"")));
}

std::vector<std::string> Fixture::case_names() const {
  std::vector<std::string> names;
  for (const auto& c : fixture_.cases)
    names.push_back(c.name);
  return names;
}

}  // namespace kong::testing
