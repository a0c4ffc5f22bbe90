// The method table held against Kong's own list of what an external plugin
// can call (docs/kong-pdk-reference.json, read off Kong's sources): a function
// missing from the table, or one Kong does not have, fails here by name.
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kong/protocol/method_table.h"
#include "kong/protocol/rpc_message.h"

namespace kong::protocol {
namespace {

const nlohmann::json& reference() {
  static const nlohmann::json j = [] {
    std::ifstream in(KONG_SOURCE_DIR "/docs/kong-pdk-reference.json");
    return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  }();
  return j;
}

std::map<std::string, nlohmann::json> reference_by_name() {
  std::map<std::string, nlohmann::json> out;
  for (const auto& f : reference())
    out[f.at("name").get<std::string>()] = f;
  return out;
}

TEST(MethodTableReference, ReferenceFileIsReadable) {
  ASSERT_TRUE(reference().is_array()) << KONG_SOURCE_DIR "/docs/kong-pdk-reference.json";
  EXPECT_GT(reference().size(), 100u);
}

TEST(MethodTableReference, HasAnEntryForEveryFunctionOfTheReference) {
  std::vector<std::string> missing;
  for (const auto& [name, f] : reference_by_name()) {
    if (find_method(name) == nullptr)
      missing.push_back(name);
  }
  EXPECT_TRUE(missing.empty()) << "missing from methods.def: " << nlohmann::json(missing).dump();
}

TEST(MethodTableReference, HasNoFunctionTheReferenceLacks) {
  const auto ref = reference_by_name();
  std::vector<std::string> extra;
  for (const auto& m : kMethods) {
    if (!ref.contains(std::string(m.name)))
      extra.push_back(std::string(m.name));
  }
  EXPECT_TRUE(extra.empty()) << "not in the reference: " << nlohmann::json(extra).dump();
}

TEST(MethodTableReference, ChecksPhasesAsKongDoes) {
  const auto ref = reference_by_name();
  for (const auto& m : kMethods) {
    auto it = ref.find(std::string(m.name));
    if (it == ref.end())
      continue;
    const nlohmann::json& f = it->second;
    const std::string check = f.at("phase_check");
    const PhaseCheck expected = check == "check_phase"       ? PhaseCheck::only
                                : check == "check_not_phase" ? PhaseCheck::all_but
                                                             : PhaseCheck::none;
    EXPECT_EQ(m.check, expected) << m.name << ": phase_check " << check;
    if (f.at("phases").is_array()) {
      std::string listed;
      for (const auto& p : f.at("phases"))
        listed += (listed.empty() ? "" : ", ") + p.get<std::string>();
      EXPECT_EQ(phase_list(m.phases), listed) << m.name;
    } else {
      EXPECT_EQ(m.phases, kEveryPhase) << m.name << ": phases " << f.at("phases");
    }
    // Kong's error text, with a phase the function rejects.
    if (m.check != PhaseCheck::none && f.contains("phase_error") &&
        f.at("phase_error").is_string()) {
      std::string text = f.at("phase_error");
      const std::string rejected = "init_worker";  // outside every external phase
      text.replace(text.find("%s"), 2, rejected);
      EXPECT_EQ(m.phase_error(rejected), text) << m.name;
    }
  }
}

TEST(MethodTableReference, AnswersWithTheStepMethodKongUses) {
  const auto ref = reference_by_name();
  for (const auto& m : kMethods) {
    auto it = ref.find(std::string(m.name));
    if (it == ref.end())
      continue;
    const nlohmann::json& step = it->second.at("msgpack_step");
    EXPECT_EQ(rpc::command_name(rpc::step_command(m.step)), step.at("method").get<std::string>())
        << m.name;
    const bool raw_binary = step.at("must_fix").is_string() && step.at("must_fix") == "raw-binary";
    EXPECT_EQ(m.result_is_bytes, raw_binary) << m.name << ": bin result";
  }
}

TEST(MethodTableReference, NamesTheProtobufMessagesOfKongsRpcs) {
  const auto ref = reference_by_name();
  for (const auto& m : kMethods) {
    auto it = ref.find(std::string(m.name));
    if (it == ref.end())
      continue;
    const nlohmann::json& pb = it->second.at("protobuf");
    EXPECT_EQ(m.pb_input, pb.is_null() ? "" : pb.at("input").get<std::string>()) << m.name;
    EXPECT_EQ(m.pb_output, pb.is_null() ? "" : pb.at("output").get<std::string>()) << m.name;
  }
}

TEST(MethodTableReference, TakesTheArgumentsKongTakes) {
  const auto ref = reference_by_name();
  for (const auto& m : kMethods) {
    auto it = ref.find(std::string(m.name));
    if (it == ref.end())
      continue;
    // Arguments no plugin can send over a socket (a Lua function, an FFI
    // pointer) are left out of the C++ signature; Kong sees them as nil.
    std::size_t sendable = 0;
    bool variadic = false;
    for (const auto& a : it->second.at("args")) {
      const std::string type = a.at("type");
      if (a.at("name") == "...")
        variadic = true;
      else if (type != "function" && !type.starts_with("cdata"))
        ++sendable;
    }
    EXPECT_EQ(m.variadic, variadic) << m.name;
    if (!variadic) {
      EXPECT_EQ(m.arity, sendable) << m.name;
    }
  }
}

TEST(MethodTableReference, EndsTheEventExactlyWhereKongSendsNoAnswer) {
  for (const auto& m : kMethods) {
    const bool ends = m.name == "kong.response.exit" || m.name == "kong.response.error";
    EXPECT_EQ(m.ends_event, ends) << m.name;
  }
}

}  // namespace
}  // namespace kong::protocol
