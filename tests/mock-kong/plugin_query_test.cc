#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kong/mock/plugin_info.h"

#include "support/test_support.h"

namespace kong::mock {
namespace {

using std::chrono::milliseconds;

using kong::test::ProcessGone;

constexpr const char* kInfo =
    R"({"Name": "hello", "Priority": 5, "Version": "1.2.3", "Phases": ["access", "log"],)"
    R"( "Schema": {"name": "hello", "fields": []}})";

TEST(ParsePluginInfo, ReadsProtocolSocketPathAndTheFirstPlugin) {
  const std::string dump = fmt::format(
      R"({{"Protocol": "ProtoBuf:1", "SocketPath": "/k/hello.socket", "Plugins": [{}, {{"Name": "other"}}]}})",
      kInfo);
  Result<PluginInfo> info = parse_plugin_info(dump);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->protocol, "ProtoBuf:1");
  EXPECT_EQ(info->socket_path, "/k/hello.socket");
  EXPECT_EQ(info->name, "hello");
  EXPECT_EQ(info->priority, 5);
  EXPECT_EQ(info->version, "1.2.3");
  EXPECT_EQ(info->phases, (std::vector<std::string>{"access", "log"}));
  EXPECT_EQ(info->schema, nlohmann::json::parse(R"({"name": "hello", "fields": []})"));
}

TEST(ParsePluginInfo, TakesABareArrayAsMsgPack) {
  Result<PluginInfo> info = parse_plugin_info(fmt::format("[{}]", kInfo));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->protocol, "MsgPack:1");
  EXPECT_EQ(info->socket_path, "");
  EXPECT_EQ(info->name, "hello");
}

TEST(ParsePluginInfo, AcceptsAMissingVersionAsTheJavaScriptPdkPrintsIt) {
  Result<PluginInfo> info = parse_plugin_info(
      R"([{"Name": "js-hello", "Priority": 0, "Phases": ["access"], "Schema": {}}])");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->name, "js-hello");
  EXPECT_EQ(info->version, "");
}

TEST(ParsePluginInfo, RejectsBadDumpsNamingTheFieldAndWhatWasWrong) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {R"({"Plugins": [{"Name": 7, "Priority": 1, "Phases": [], "Schema": {}}]})",
       "Plugins[0].Name: expected string, got number"},
      {R"({"Plugins": [{"Priority": 1, "Phases": [], "Schema": {}}]})",
       "Plugins[0].Name: expected string, but it is missing"},
      {R"([{"Name": "", "Priority": 1, "Phases": [], "Schema": {}}])",
       "[0].Name: expected a non-empty string"},
      {R"([{"Name": "x", "Priority": "1", "Phases": [], "Schema": {}}])",
       "[0].Priority: expected number, got string"},
      {R"([{"Name": "x", "Priority": 1.5, "Phases": [], "Schema": {}}])",
       "[0].Priority: expected an integer, got 1.5"},
      {R"([{"Name": "x", "Priority": 1, "Version": 2, "Phases": [], "Schema": {}}])",
       "[0].Version: expected string, got number"},
      {R"([{"Name": "x", "Priority": 1, "Phases": "access", "Schema": {}}])",
       "[0].Phases: expected array of strings, got string"},
      {R"([{"Name": "x", "Priority": 1, "Phases": ["access", 2], "Schema": {}}])",
       "[0].Phases[1]: expected string, got number"},
      {R"([{"Name": "x", "Priority": 1, "Phases": [], "Schema": []}])",
       "[0].Schema: expected object, got array"},
      {R"([{"Name": "x", "Priority": 1, "Phases": []}])",
       "[0].Schema: expected object, but it is missing"},
      {R"({"Protocol": "Json:1", "Plugins": []})",
       R"(Protocol: expected "MsgPack:1" or "ProtoBuf:1", got "Json:1")"},
      {R"({"SocketPath": 3, "Plugins": []})", "SocketPath: expected string, got number"},
      {R"({"Protocol": "MsgPack:1"})", "Plugins: expected array, but it is missing"},
      {R"({"Plugins": []})", "Plugins: expected at least one plugin info, got an empty array"},
      {"[]", "expected at least one plugin info, got an empty array"},
      {"[3]", "[0]: expected object, got number"},
      {"42", "expected an object {Protocol, SocketPath, Plugins} or an array, got number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    Result<PluginInfo> info = parse_plugin_info(c.json);
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().message, c.message);
  }
}

TEST(ParsePluginInfo, ReportsWhereTheJsonIsBroken) {
  Result<PluginInfo> info = parse_plugin_info("{\"Plugins\": [\n}");
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(info.error().message.starts_with("invalid JSON: parse error at line 2, column 1"))
      << info.error().message;
}

TEST(QueryPlugin, ReadsTheHelloExamplesDump) {
  const std::string cmd = fmt::format("{} -dump", test::kHelloBin);
  Result<PluginInfo> info = query_plugin(cmd, milliseconds(10000));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->name, "hello");
  EXPECT_EQ(info->protocol, "MsgPack:1");
  EXPECT_EQ(info->version, "0.1.0");
  EXPECT_EQ(info->priority, 1);
  EXPECT_EQ(info->phases, std::vector<std::string>{"access"});
  EXPECT_EQ(info->schema.value("name", ""), "hello");
}

TEST(QueryPlugin, NamesTheCommandAndTheFieldWhenTheDumpIsWrong) {
  const std::string cmd = R"(echo '[{"Name": 7}]')";
  Result<PluginInfo> info = query_plugin(cmd, milliseconds(10000));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message,
            "query command `" + cmd + "`: [0].Name: expected string, got number");
}

TEST(QueryPlugin, ReportsTheExitStatusAndLastOutputOfAFailingCommand) {
  const std::string cmd = "echo first; echo 'no such flag: -dump' >&2; exit 4";
  Result<PluginInfo> info = query_plugin(cmd, milliseconds(10000));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message, "query command `" + cmd +
                                      "` exited with status 4; its last output:\n"
                                      "first\nno such flag: -dump");
}

TEST(QueryPlugin, SaysWhenTheCommandIsNotFound) {
  Result<PluginInfo> info = query_plugin("/nonexistent/plugin -dump", milliseconds(10000));
  ASSERT_FALSE(info.ok());
  EXPECT_NE(
      info.error().message.find(
          "query command `/nonexistent/plugin -dump` exited with status 127 (command not found)"),
      std::string::npos)
      << info.error().message;
}

TEST(QueryPlugin, ShowsTheOutputThatIsNotJson) {
  Result<PluginInfo> info = query_plugin("echo Usage: hello [flags]", milliseconds(10000));
  ASSERT_FALSE(info.ok());
  const std::string& message = info.error().message;
  EXPECT_TRUE(
      message.starts_with("query command `echo Usage: hello [flags]`: stdout is not JSON: "
                          "parse error at line 1, column 1"))
      << message;
  EXPECT_TRUE(message.ends_with("; its last output:\nUsage: hello [flags]")) << message;
}

TEST(QueryPlugin, ReportsACommandThatPrintsNothing) {
  Result<PluginInfo> info = query_plugin("true", milliseconds(10000));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message, "query command `true` printed nothing");
}

TEST(QueryPlugin, KillsTheWholeProcessGroupOfACommandThatDoesNotFinish) {
  // The inner shell prints its pid and becomes the sleep: a grandchild that
  // only a process-group kill reaches.
  const std::string cmd = "sh -c 'echo $$; exec sleep 60'; echo not reached";
  Result<PluginInfo> info = query_plugin(cmd, milliseconds(300));
  ASSERT_FALSE(info.ok());
  const std::string& message = info.error().message;
  const std::string expected =
      "query command `" + cmd + "` did not finish within 300 ms; its last output:\n";
  ASSERT_TRUE(message.starts_with(expected)) << message;
  const pid_t sleeper = std::stoi(message.substr(expected.size()));
  EXPECT_TRUE(ProcessGone(sleeper, milliseconds(10000)));
}

}  // namespace
}  // namespace kong::mock
