// mock-kong --fuzz-wire against real plugin servers: the C++ server answers
// or closes on every malformed input and serves the fixture after it, in
// both protocols; Kong's JavaScript server does not, and each way it fails
// is named, with the bytes that did it.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace kong::test {
namespace {

class FuzzWire : public ::testing::TestWithParam<std::string> {
 protected:
  ScratchDir dir_;
};

TEST_P(FuzzWire, TheCppServerAnswersOrClosesOnEveryMalformedInputAndServesTheFixtureAfter) {
  const auto run =
      RunCommand(std::string(kMockKongBin) + " --fuzz-wire " +
                     Source("examples/hello/fixtures/hello.json") + " --seed 1 --runs 2000 --out " +
                     dir_.file("out") + " " + kHelloBin + " -protocol " + GetParam(),
                 std::chrono::minutes(5));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("mock-kong: sent hello (" + GetParam() + ") 2000 malformed inputs in "),
            std::string::npos)
      << run.out;
  EXPECT_TRUE(run.out.ends_with("\nno findings\n")) << run.out;
  EXPECT_TRUE(FilesIn(dir_.file("out")).empty());
}

INSTANTIATE_TEST_SUITE_P(BothProtocols, FuzzWire, ::testing::Values("MsgPack:1", "ProtoBuf:1"),
                         [](const auto& info) {
                           return info.param.substr(0, 7) == "MsgPack" ? std::string("MsgPack")
                                                                       : std::string("ProtoBuf");
                         });

TEST(FuzzWireOnKongsPdk, EachCrashAndHangOfKongsJavaScriptServerIsNamedWithTheBytesThatDidIt) {
  if (!std::filesystem::exists(kJsServer))
    GTEST_SKIP() << "Kong's JavaScript PDK is not installed (scripts/test runs npm ci in tests/js)";
  ScratchDir dir;
  const std::string plugins = Source("tests/js/plugins/hello");
  const std::string js = std::string(kJsServer) + " -d " + plugins;
  const auto run =
      RunCommand(std::string(kMockKongBin) + " --fuzz-wire " + Source("tests/js/js-hello.json") +
                     " --seed 1 --runs 4 --call-timeout 500 --out " + dir.file("out") +
                     " --query-cmd '" + js + " --dump-all-plugins' --start-cmd '" + js +
                     " --kong-prefix $KONG_PREFIX' --socket js_pluginserver.sock",
                 std::chrono::minutes(2));
  EXPECT_EQ(run.exit_code, 1) << run.out;
  // A 4 GiB array header kills it; a 4 GiB ext header leaves it waiting.
  EXPECT_NE(run.out.find("FOUND crash on an array32 declaring 4 GiB\n"
                         "      the plugin server exited with status 1 after it; mock-kong "
                         "started it again\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("FOUND hang on an ext32 declaring 4 GiB\n"
                         "      the plugin server neither answered nor closed the connection "
                         "within 500 ms\n"),
            std::string::npos)
      << run.out;
  const auto files = FilesIn(dir.file("out"));
  ASSERT_EQ(files, (std::vector<std::string>{"crash-on-an-array32-declaring-4-gib.bin",
                                             "hang-on-an-ext32-declaring-4-gib.bin"}))
      << run.out;
  EXPECT_TRUE(ReadFile(dir.file("out/" + files[0])).starts_with("\xdd\xff\xff\xff\xff"));
  EXPECT_TRUE(ReadFile(dir.file("out/" + files[1])).starts_with("\xc9\xff\xff\xff\xff"));
}

}  // namespace
}  // namespace kong::test
