// A fixture's plugins on the plugin servers kong.conf names, started and
// started again as Kong does.
#include "kong/mock/fixture_run.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kong/mock/case_runner.h"
#include "kong/mock/plugin_process.h"

#include "support/test_support.h"

namespace kong::mock {
namespace {

using ::testing::HasSubstr;

class KongConfRunTest : public ::testing::Test {
 protected:
  // hello's server left to Kong's default socket, <prefix>/hello.socket;
  // planted-bugs' named by its own.
  KongConf Conf() {
    KongConf conf;
    conf.prefix = dir_.file("prefix");
    conf.plugins = {"bundled", "hello", "planted-bugs"};
    const std::string hello = test::kHelloBin;
    const std::string bugs = test::kPlantedBugsBin;
    conf.plugin_servers = {{"hello", conf.prefix + "/hello.socket",
                            hello + " -kong-prefix " + conf.prefix, hello + " -dump"},
                           {"bugs", conf.prefix + "/planted-bugs.socket",
                            bugs + " -kong-prefix " + conf.prefix, bugs + " -dump"}};
    return conf;
  }

  std::string Fixture(const std::string& plugins) {
    const std::string file = dir_.file("fixture.json");
    test::WriteFile(file, R"({)" + plugins + R"("cases": [{"name": "c"}]})");
    return file;
  }

  test::ScratchDir dir_;
};

TEST_F(KongConfRunTest, StartsEveryServerAndRunsTheFixturesPluginsOnTheirs) {
  const KongConf conf = Conf();
  auto run =
      open_fixture_run(Fixture(R"("plugins": [{"name": "hello", "config": {"message": "hi"}}],)"),
                       {}, {}, {}, &conf);
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_EQ((*run)->sessions.size(), 2u);
  EXPECT_EQ((*run)->sessions[1]->server_name(), "bugs");
  EXPECT_EQ((*run)->sessions[1]->info().name, "planted-bugs");
  ASSERT_EQ((*run)->chain.size(), 1u);
  EXPECT_EQ((*run)->chain[0].session->info().name, "hello");
  EXPECT_EQ((*run)->session->socket_path(), conf.prefix + "/hello.socket");
}

TEST_F(KongConfRunTest, StartsAgainAServerThatEnded) {
  const KongConf conf = Conf();
  auto run = open_fixture_run(Fixture(R"("plugins": [{"name": "hello"}],)"), {}, {}, {}, &conf);
  ASSERT_TRUE(run.ok()) << run.error().message;
  PluginSession& bugs = *(*run)->sessions[1];
  const pid_t first = bugs.process()->pid();
  ::kill(first, SIGKILL);
  for (int i = 0; i < 200 && !bugs.server_ended(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  respawn_ended_servers(**run);
  ASSERT_NE(bugs.process(), nullptr);
  EXPECT_NE(bugs.process()->pid(), first);
  EXPECT_FALSE(bugs.server_ended());
}

TEST_F(KongConfRunTest, APluginNoServerServesOrKongConfDoesNotListIsNamed) {
  KongConf conf = Conf();
  auto missing = open_fixture_run(Fixture(R"("plugins": [{"name": "nope"}],)"), {}, {}, {}, &conf);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message,
              HasSubstr("plugins[0]: plugin nope: no plugin server serves it; they serve hello "
                        "(server hello), planted-bugs (server bugs)"));
  conf.plugins = {"bundled"};
  auto unlisted =
      open_fixture_run(Fixture(R"("plugins": [{"name": "hello"}],)"), {}, {}, {}, &conf);
  ASSERT_FALSE(unlisted.ok());
  EXPECT_THAT(unlisted.error().message,
              HasSubstr("kong.conf's plugins does not list hello, so Kong does not load it"));
  const KongConf two = Conf();
  auto unnamed = open_fixture_run(Fixture(R"("config": {},)"), {}, {}, {}, &two);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_THAT(unnamed.error().message,
              HasSubstr("kong.conf starts 2 plugin servers: name the plugins the cases run"));
}

// kong.conf without a start command: Kong warns and takes the server as
// started by something else, connecting to its socket (a server run under
// a debugger, say). mock-kong does the same, and leaves it running.
TEST_F(KongConfRunTest, ConnectsToAServerWithoutAStartCommandThatSomethingElseStarted) {
  KongConf conf = Conf();
  conf.plugin_servers.resize(1);
  conf.plugin_servers[0].start_command.reset();
  PluginProcess::Options outside;
  outside.start_cmd = std::string(test::kHelloBin) + " -kong-prefix " + conf.prefix;
  outside.socket_path = conf.plugin_servers[0].socket;
  outside.sink = [](const std::string&) {};
  std::filesystem::create_directories(conf.prefix);
  auto server = PluginProcess::start(outside);
  ASSERT_TRUE(server.ok()) << server.error().message;
  {
    auto run =
        open_fixture_run(Fixture(R"("plugins": [{"name": "hello", "config": {"message": "hi"}}],)"),
                         {}, {}, {}, &conf);
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_EQ((*run)->session->process(), nullptr);
    Case c;
    c.name = "greets";
    c.request.url = "http://a.test/";
    c.expect.response.emplace();
    c.expect.response->headers.push_back({"x-hello-from-cpp", {{"C++ says hi to a.test"}}, false});
    EXPECT_TRUE(run_and_check(c, *(*run)->session).passed());
    const Status again = (*run)->session->restart();
    ASSERT_FALSE(again.ok());
    EXPECT_THAT(again.error().message, HasSubstr("plugin server hello is started outside "
                                                 "mock-kong (it has no start command)"));
  }
  EXPECT_TRUE((*server)->running());
}

TEST_F(KongConfRunTest, NamesTheSocketWhereNoServerStartedElsewhereListens) {
  KongConf conf = Conf();
  conf.plugin_servers.resize(1);
  conf.plugin_servers[0].start_command.reset();
  SessionOptions options;
  options.start_timeout = std::chrono::milliseconds(100);
  auto run =
      open_fixture_run(Fixture(R"("plugins": [{"name": "hello"}],)"), {}, {}, options, &conf);
  ASSERT_FALSE(run.ok());
  EXPECT_THAT(run.error().message,
              HasSubstr("nothing listens on " + conf.prefix +
                        "/hello.socket within 100 ms: plugin server hello has no start command, "
                        "so it is started outside mock-kong (as Kong assumes), and must be "
                        "running"));
}

}  // namespace
}  // namespace kong::mock
