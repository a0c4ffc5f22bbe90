// docs/pdk.md held against the method table: a row per entry, under the
// section of its namespace, with the phases the table has, and no name the
// table lacks.
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kong/protocol/method_table.h"

namespace kong::protocol {
namespace {

constexpr const char* kDocPath = KONG_SOURCE_DIR "/docs/pdk.md";

struct Row {
  int line;
  std::string section;  // "kong.client.tls", from "## `kong.client.tls`"
  std::string call;     // C++ call column
  std::string name;     // Kong name column, without backticks
  std::string phases;
};

std::string Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return "";
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

std::string Unquote(const std::string& cell) {
  if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`')
    return cell.substr(1, cell.size() - 2);
  return cell;
}

std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line.substr(1));  // after the leading "|"
  std::string cell;
  while (std::getline(in, cell, '|'))
    cells.push_back(Trim(cell));
  return cells;
}

std::string ReadDoc() {
  std::ifstream in(kDocPath);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Rows whose second cell is a Kong name; the header and separator rows are not.
std::vector<Row> Rows(const std::string& doc) {
  std::vector<Row> rows;
  std::stringstream in(doc);
  std::string line, section;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.starts_with("## ")) {
      section = Unquote(Trim(line.substr(3)));
      continue;
    }
    if (!line.starts_with("|"))
      continue;
    const std::vector<std::string> cells = Cells(line);
    if (cells.size() < 4 || !Unquote(cells[1]).starts_with("kong."))
      continue;
    rows.push_back({n, section, cells[0], Unquote(cells[1]), cells[2]});
  }
  return rows;
}

std::string Namespace(std::string_view name) {
  return std::string(name.substr(0, name.rfind('.')));
}

std::string ExpectedPhases(const MethodInfo& m) {
  switch (m.check) {
    case PhaseCheck::none:
      return "any";
    case PhaseCheck::all_but:
      return "all but " + phase_list(kEveryPhase & ~m.phases);
    case PhaseCheck::only:
      break;
  }
  return phase_list(m.phases);
}

TEST(PdkDocs, IsReadable) {
  EXPECT_FALSE(ReadDoc().empty()) << kDocPath;
}

TEST(PdkDocs, ListsEveryFunctionOfTheMethodTable) {
  std::set<std::string> documented;
  for (const Row& r : Rows(ReadDoc()))
    documented.insert(r.name);
  std::vector<std::string> missing;
  for (const MethodInfo& m : kMethods) {
    if (!documented.contains(std::string(m.name)))
      missing.push_back(std::string(m.name));
  }
  EXPECT_TRUE(missing.empty()) << kDocPath << " lacks " << nlohmann::json(missing).dump();
}

TEST(PdkDocs, ListsEachFunctionOnceInTheSectionOfItsNamespace) {
  std::map<std::string, int> seen;
  for (const Row& r : Rows(ReadDoc())) {
    EXPECT_EQ(r.section, Namespace(r.name)) << kDocPath << ":" << r.line << ": " << r.name;
    auto [it, first] = seen.emplace(r.name, r.line);
    EXPECT_TRUE(first) << kDocPath << ":" << r.line << ": " << r.name << " also on line "
                       << it->second;
  }
}

TEST(PdkDocs, GivesEachRowTheCppCallOfItsKongName) {
  for (const Row& r : Rows(ReadDoc())) {
    EXPECT_NE(r.call.find(r.name + "("), std::string::npos)
        << kDocPath << ":" << r.line << ": expected a call of " << r.name << ", got " << r.call;
  }
}

TEST(PdkDocs, GivesThePhasesOfTheMethodTable) {
  for (const Row& r : Rows(ReadDoc())) {
    const MethodInfo* m = find_method(r.name);
    if (m == nullptr)
      continue;  // MentionsNoFunctionTheTableLacks
    EXPECT_EQ(r.phases, ExpectedPhases(*m)) << kDocPath << ":" << r.line << ": " << r.name;
  }
}

TEST(PdkDocs, MentionsNoFunctionTheTableLacks) {
  const std::string doc = ReadDoc();
  std::set<std::string> namespaces;
  for (const MethodInfo& m : kMethods) {
    for (std::string ns = Namespace(m.name); ns.find('.') != std::string::npos; ns = Namespace(ns))
      namespaces.insert(ns);
  }
  std::set<std::string> unknown;
  const std::regex name(R"(kong(\.[a-z0-9_]+)+)");
  for (std::sregex_iterator it(doc.begin(), doc.end(), name), end; it != end; ++it) {
    const std::string n = it->str();
    if (find_method(n) == nullptr && !namespaces.contains(n))
      unknown.insert(n);
  }
  EXPECT_TRUE(unknown.empty()) << kDocPath << " mentions what methods.def lacks: "
                               << nlohmann::json(unknown).dump();
}

}  // namespace
}  // namespace kong::protocol
