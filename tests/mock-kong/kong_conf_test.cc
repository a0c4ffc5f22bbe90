// kong.conf read as Kong's configuration loader reads it.
#include "kong/mock/kong_conf.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace kong::mock {
namespace {

// No /usr/local/bin/<name> exists unless a test puts it in `bin`.
class KongConfTest : public ::testing::Test {
 protected:
  KongConfTest() {
    context_.current_directory = "/srv/kong";
    context_.default_server_directory = bin_.path();
  }
  Result<KongConf> Parse(std::string_view text) {
    return parse_kong_conf(text, "kong.conf", context_);
  }
  void Install(const std::string& name) { std::ofstream(bin_.file(name)) << "#!/bin/sh\n"; }

  test::ScratchDir bin_;
  KongConfContext context_;
};

TEST_F(KongConfTest, GivesKongsDefaultsWhenTheFileSetsNothing) {
  auto conf = Parse("# nothing but a comment\n\n");
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  EXPECT_EQ(conf->prefix, "/usr/local/kong");
  EXPECT_EQ(conf->plugins, std::vector<std::string>{"bundled"});
  EXPECT_TRUE(conf->plugin_servers.empty());
}

TEST_F(KongConfTest, DerivesAServersSocketAndCommandsFromItsNameAsKongDoes) {
  Install("go-hello");
  auto conf = Parse("prefix = /var/kong/\npluginserver_names = Go-Hello\n");
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  ASSERT_EQ(conf->plugin_servers.size(), 1u);
  const PluginServerConf& server = conf->plugin_servers[0];
  EXPECT_EQ(server.name, "go-hello");
  EXPECT_EQ(server.socket, "/var/kong/go-hello.socket");
  EXPECT_EQ(server.start_command, bin_.file("go-hello"));
  EXPECT_EQ(server.query_command, bin_.file("go-hello") + " -dump");
}

TEST_F(KongConfTest, ReadsAServersSettingsUnderItsNameWithUnderscoresForDashes) {
  auto conf = Parse(
      "pluginserver_names = my-plugin, js\n"
      "pluginserver_my_plugin_socket = /tmp/my.sock\n"
      "pluginserver_my-plugin_start_cmd = /opt/my-plugin --serve\n"
      "pluginserver_my_plugin_query_cmd = /opt/my-plugin --dump\n"
      "pluginserver_js_query_cmd = kong-js-pluginserver --dump-all-plugins\n");
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  ASSERT_EQ(conf->plugin_servers.size(), 2u);
  const PluginServerConf& mine = conf->plugin_servers[0];
  EXPECT_EQ(mine.name, "my-plugin");
  EXPECT_EQ(mine.socket, "/tmp/my.sock");
  EXPECT_EQ(mine.start_command, "/opt/my-plugin --serve");
  EXPECT_EQ(mine.query_command, "/opt/my-plugin --dump");
  const PluginServerConf& js = conf->plugin_servers[1];
  EXPECT_EQ(js.socket, "/usr/local/kong/js.socket");
  // No start command: Kong leaves starting the server to something else.
  EXPECT_EQ(js.start_command, std::nullopt);
}

TEST_F(KongConfTest, TakesTheEnvironmentOverTheFile) {
  context_.environment = {{"KONG_PREFIX", "run"},
                          {"KONG_PLUGINSERVER_NAMES", "hello"},
                          {"KONG_PLUGINSERVER_HELLO_QUERY_CMD", " hello -dump # as is "},
                          {"kong_pluginserver_hello_socket", "/not/read"}};
  auto conf = Parse("prefix = /var/kong\npluginserver_names = other\nplugins = bundled,hello\n");
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  EXPECT_EQ(conf->prefix, "/srv/kong/run");
  EXPECT_EQ(conf->plugins, (std::vector<std::string>{"bundled", "hello"}));
  ASSERT_EQ(conf->plugin_servers.size(), 1u);
  EXPECT_EQ(conf->plugin_servers[0].query_command, "hello -dump # as is");
  EXPECT_EQ(conf->plugin_servers[0].socket, "/srv/kong/run/hello.socket");
}

TEST_F(KongConfTest, StripsCommentsContinuesLinesAndKeepsTheLastOfAKey) {
  auto conf = Parse(
      "plugins = bundled, \\\n"
      "  # a comment inside the continuation\n"
      "hello,,  goodbye # loaded here\n"
      "pluginserver_names = a\n"
      "pluginserver_a_query_cmd = /bin/a --tag \\#1 # the first\n"
      "pluginserver_a_query_cmd = /bin/a --tag \\#2\n"
      "; an ini comment\n"
      "a line Kong passes over\n");
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  EXPECT_EQ(conf->plugins, (std::vector<std::string>{"bundled", "hello", "goodbye"}));
  ASSERT_EQ(conf->plugin_servers.size(), 1u);
  EXPECT_EQ(conf->plugin_servers[0].query_command, "/bin/a --tag #2");
}

TEST_F(KongConfTest, NamesAServerWithoutAQueryCommand) {
  auto conf = Parse("pluginserver_names = lost\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_EQ(conf.error().message,
            fmt::format("kong.conf: query_command undefined for pluginserver lost (set "
                        "pluginserver_lost_query_cmd, or install {})",
                        bin_.file("lost")));
}

TEST_F(KongConfTest, RefusesASectionNamingItsLine) {
  auto conf = Parse("prefix = /a\n\n[extra]\nkey = 1\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_EQ(conf.error().message,
            "kong.conf:3: a section ([extra]): Kong's configuration has none, and would lose the "
            "keys after it");
}

TEST(KongConf, LoadingAMissingFileNamesIt) {
  test::ScratchDir dir;
  auto conf = load_kong_conf(dir.file("kong.conf"));
  ASSERT_FALSE(conf.ok());
  EXPECT_EQ(conf.error().message,
            dir.file("kong.conf") + ": cannot read: No such file or directory");
}

}  // namespace
}  // namespace kong::mock
