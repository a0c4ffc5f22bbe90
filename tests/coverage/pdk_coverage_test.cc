// Every PDK function of the method table is called, through the socket, by
// a passing case of some fixture in this repository. The replays registered
// in tests/CMakeLists.txt (kong_replay_test) each write the functions their
// passing cases called (mock-kong --coverage); this test takes the union.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kong/protocol/method_table.h"

namespace kong {
namespace {

TEST(PdkCoverage, EveryFunctionIsCalledThroughTheSocketByAPassingFixtureCase) {
  std::set<std::string> called;
  std::vector<std::string> replays;
  for (const auto& entry : std::filesystem::directory_iterator(KONG_COVERAGE_DIR)) {
    if (entry.path().extension() != ".json")
      continue;
    std::ifstream in(entry.path());
    const auto names = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(names.is_array()) << entry.path() << ": expected a JSON array of names";
    for (const auto& n : names)
      called.insert(n.get<std::string>());
    replays.push_back(entry.path().stem().string());
  }
  std::vector<std::string> missing;
  for (const auto& m : protocol::kMethods) {
    if (!called.contains(std::string(m.name)))
      missing.push_back(std::string(m.name));
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << protocol::kMethodCount
                               << " functions no passing case calls: "
                               << nlohmann::json(missing).dump()
                               << "\nreplays read from " KONG_COVERAGE_DIR ": "
                               << nlohmann::json(replays).dump();
}

}  // namespace
}  // namespace kong
