// The plugin session every mode drives a plugin through: start, configure,
// restart, stop, and what it leaves behind.
#include "kong/mock/session.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "kong/mock/case_runner.h"

#include "support/test_support.h"

namespace kong::mock {
namespace {

std::unique_ptr<PluginSession> StartHello() {
  ServerCommand hello;
  hello.plugin = {kong::test::kHelloBin};
  SessionOptions quiet;
  quiet.output = [](const std::string&) {};
  auto session = PluginSession::start(hello, quiet);
  EXPECT_TRUE(session.ok()) << session.error().message;
  return session.ok() ? std::move(session).value() : nullptr;
}

Case Greeting() {
  Case c;
  c.name = "greets";
  c.path = "cases[0]";
  c.request.url = "http://a.test/";
  c.expect.response.emplace();
  c.expect.response->headers.push_back({"x-hello-from-cpp", {{"C++ says hi to a.test"}}, false});
  return c;
}

TEST(PluginSession, QueriesStartsAndConfiguresThePluginAsKongDoes) {
  auto session = StartHello();
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->info().name, "hello");
  EXPECT_EQ(session->protocol(), Protocol::msgpack);
  EXPECT_TRUE(session->handles(Phase::access));
  ASSERT_TRUE(session->configure({{"message", "hi"}}, "test").ok());
  EXPECT_NE(session->instance_id(), 0);
  EXPECT_EQ(session->plugin_id().size(), 36u);
  EXPECT_TRUE(run_and_check(Greeting(), *session).passed());
}

TEST(PluginSession, RefusesAConfigTheSchemaDoesNotAllowNamingWhere) {
  auto session = StartHello();
  ASSERT_NE(session, nullptr);
  const Status s = session->configure({{"mesage", "hi"}}, "fixtures/x.json");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "fixtures/x.json: config.mesage: unknown field");
}

TEST(PluginSession, RestartsTheServerWithItsInstanceAsKongRespawnsIt) {
  auto session = StartHello();
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(session->configure({{"message", "hi"}}, "test").ok());
  const pid_t before = session->process()->pid();
  const Status restarted = session->restart();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  EXPECT_NE(session->process()->pid(), before);
  EXPECT_TRUE(kong::test::ProcessGone(before));
  EXPECT_TRUE(run_and_check(Greeting(), *session).passed());
}

// Kong spawns a server at most once a second, so that one failing at start
// is not started in a storm: the wait is the behaviour, and a bound below
// it cannot fail on a slow machine.
TEST(PluginSession, StartsAServerAgainNoSoonerThanASecondAfterItsLastStart) {
  // Taken before the first start: each start begins a second after the
  // one before, so two restarts end two seconds after this at least.
  const auto started = std::chrono::steady_clock::now();
  auto session = StartHello();
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(session->restart().ok());
  ASSERT_TRUE(session->restart().ok());
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST(PluginSession, StopsTheServerAndRemovesItsPrefixWhenDestroyed) {
  auto session = StartHello();
  ASSERT_NE(session, nullptr);
  const pid_t pid = session->process()->pid();
  const std::string socket = session->info().socket_path;
  const auto prefix = std::filesystem::path(socket).parent_path();
  ASSERT_TRUE(std::filesystem::exists(prefix));
  session.reset();
  EXPECT_TRUE(kong::test::ProcessGone(pid));
  EXPECT_FALSE(std::filesystem::exists(prefix)) << prefix;
}

// Kong's JavaScript server's dump names no socket: Kong looks for a server
// at <prefix>/<server name>.socket, and a PLUGIN's server is named after its
// executable, whatever its plugin is called (a JavaScript `goodbye` plugin
// behind an executable `js-goodbye`).
TEST(PluginSession, FindsAServerWhoseDumpNamesNoSocketOnItsExecutablesSocket) {
  // js-goodbye serves the hello plugin: its dump leaves SocketPath out, and
  // it listens on <prefix>/js-goodbye.socket only (a link to the socket of
  // a hello in another prefix).
  test::ScratchDir dir;
  const std::string plugin = dir.file("js-goodbye");
  const std::string hello = test::kHelloBin;
  {
    std::ofstream script(plugin);
    script << "#!/bin/sh\n"
           << "case \" $* \" in *\" -dump \"*) " << hello
           << " \"$@\" | sed 's/,\"SocketPath\":\"[^\"]*\"//'; exit ;; esac\n"
           << "mkdir -p \"$KONG_PREFIX/real\"\n"
           << hello << " -kong-prefix \"$KONG_PREFIX/real\" &\n"
           << "while [ ! -S \"$KONG_PREFIX/real/hello.socket\" ]; do sleep 0.01; done\n"
           << "ln -s real/hello.socket \"$KONG_PREFIX/js-goodbye.socket\"\n"
           << "wait\n";
  }
  std::filesystem::permissions(plugin, std::filesystem::perms::owner_all);
  ServerCommand command;
  command.plugin = {plugin};
  SessionOptions options;
  options.output = [](const std::string&) {};
  options.start_timeout = std::chrono::seconds(2);
  auto session = PluginSession::start(command, options);
  ASSERT_TRUE(session.ok()) << session.error().message;
  EXPECT_EQ((*session)->info().name, "hello");
  EXPECT_TRUE((*session)->info().socket_path.empty());
  EXPECT_TRUE((*session)->socket_path().ends_with("/js-goodbye.socket"))
      << (*session)->socket_path();
  ASSERT_TRUE((*session)->configure({{"message", "hi"}}, "test").ok());
  EXPECT_TRUE(run_and_check(Greeting(), **session).passed());
}

TEST(PluginSession, SaysWhatItCannotStart) {
  ServerCommand none;
  auto nothing = PluginSession::start(none);
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().message,
            "give a PLUGIN command, or a query command (with a start command, unless the "
            "server is started outside mock-kong)");
}

}  // namespace
}  // namespace kong::mock
