#include "server/command_line.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace kong::server {
namespace {

Result<CommandLine> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/local/bin/my-plugin");
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse_command_line(static_cast<int>(args.size()), argv.data());
}

TEST(CommandLine, DefaultsToServingUnderUsrLocalKong) {
  const auto cl = Parse({});
  ASSERT_TRUE(cl.ok()) << cl.error().message;
  EXPECT_FALSE(cl->dump);
  EXPECT_FALSE(cl->help);
  EXPECT_EQ(cl->kong_prefix, "/usr/local/kong");
  EXPECT_EQ(cl->max_message_bytes, std::nullopt);
  EXPECT_EQ(cl->protocol, std::nullopt);
}

TEST(CommandLine, AcceptsEachFlagWithOneOrTwoDashes) {
  for (const char* flag : {"-dump", "--dump"}) {
    const auto cl = Parse({flag});
    ASSERT_TRUE(cl.ok()) << flag << ": " << cl.error().message;
    EXPECT_TRUE(cl->dump) << flag;
    EXPECT_FALSE(cl->help) << flag;
  }
  for (const char* flag : {"-help", "--help", "-h", "--h"}) {
    const auto cl = Parse({flag});
    ASSERT_TRUE(cl.ok()) << flag << ": " << cl.error().message;
    EXPECT_TRUE(cl->help) << flag;
    EXPECT_FALSE(cl->dump) << flag;
  }
}

TEST(CommandLine, TakesTheKongPrefixAsTheNextArgumentOrAfterAnEqualsSign) {
  const std::vector<std::vector<std::string>> spellings = {
      {"-kong-prefix", "/opt/kong"},
      {"--kong-prefix", "/opt/kong"},
      {"-kong-prefix=/opt/kong"},
      {"--kong-prefix=/opt/kong"},
  };
  for (const auto& args : spellings) {
    const auto cl = Parse(args);
    ASSERT_TRUE(cl.ok()) << args[0] << ": " << cl.error().message;
    EXPECT_EQ(cl->kong_prefix, "/opt/kong") << args[0];
  }
}

TEST(CommandLine, TakesTheMessageLimit) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"-max-message-bytes", "1024"},
                                                                {"--max-message-bytes=1024"}}) {
    const auto cl = Parse(args);
    ASSERT_TRUE(cl.ok()) << args[0] << ": " << cl.error().message;
    EXPECT_EQ(cl->max_message_bytes, 1024u) << args[0];
  }
}

TEST(CommandLine, TakesTheProtocolByKongsNameOrTheShortOneInAnyCase) {
  const std::pair<std::vector<std::string>, Protocol> cases[] = {
      {{"-protocol", "ProtoBuf:1"}, Protocol::protobuf},
      {{"--protocol", "protobuf:1"}, Protocol::protobuf},
      {{"-protocol=PROTOBUF"}, Protocol::protobuf},
      {{"--protocol=protobuf"}, Protocol::protobuf},
      {{"-protocol", "MsgPack:1"}, Protocol::msgpack},
      {{"-protocol=msgpack"}, Protocol::msgpack},
      {{"--protocol", "MSGPACK:1"}, Protocol::msgpack},
  };
  for (const auto& [args, protocol] : cases) {
    const auto cl = Parse(args);
    ASSERT_TRUE(cl.ok()) << args.back() << ": " << cl.error().message;
    EXPECT_EQ(cl->protocol, protocol) << args.back();
  }
}

TEST(CommandLine, TakesTheBusyPollWindowInMicrosecondsZeroIncluded) {
  EXPECT_EQ(Parse({"-busy-poll-us", "0"})->busy_poll, std::chrono::microseconds(0));
  EXPECT_EQ(Parse({"--busy-poll-us=200"})->busy_poll, std::chrono::microseconds(200));
  EXPECT_EQ(Parse({})->busy_poll, std::nullopt);
}

TEST(CommandLine, TakesTheStallThresholdInMillisecondsZeroTurningItOff) {
  EXPECT_EQ(Parse({"-stall-ms", "0"})->stall_report, std::chrono::milliseconds(0));
  EXPECT_EQ(Parse({"--stall-ms=250"})->stall_report, std::chrono::milliseconds(250));
  EXPECT_EQ(Parse({})->stall_report, std::nullopt);
}

TEST(CommandLine, TakesTheThreadSettings) {
  const auto cl = Parse({"-threads", "3", "-offload-us", "250", "--blocking-threads=8"});
  ASSERT_TRUE(cl.ok()) << cl.error().message;
  EXPECT_EQ(cl->threads, 3);
  EXPECT_EQ(cl->offload_above, std::chrono::microseconds(250));
  EXPECT_EQ(cl->blocking_threads, 8u);
  EXPECT_EQ(Parse({"-grace-ms", "0"})->shutdown_grace, std::chrono::milliseconds(0));
  EXPECT_EQ(Parse({"-threads", "1"})->threads, 1);
  EXPECT_EQ(Parse({})->threads, std::nullopt);
}

TEST(CommandLine, CombinesFlags) {
  const auto cl =
      Parse({"-kong-prefix", "/k", "-max-message-bytes", "99", "-protocol", "ProtoBuf:1", "-dump"});
  ASSERT_TRUE(cl.ok()) << cl.error().message;
  EXPECT_EQ(cl->kong_prefix, "/k");
  EXPECT_EQ(cl->max_message_bytes, 99u);
  EXPECT_EQ(cl->protocol, Protocol::protobuf);
  EXPECT_TRUE(cl->dump);
}

struct ErrorCase {
  std::vector<std::string> args;
  std::string error;
};

TEST(CommandLine, RefusesUnknownFlagsAndMissingValues) {
  const ErrorCase cases[] = {
      {{"-verbose"}, R"(unknown flag "-verbose")"},
      {{"--socket", "/x"}, R"(unknown flag "--socket")"},
      {{"-dump=yes"}, R"(unknown flag "-dump=yes")"},
      {{"-help=1"}, R"(unknown flag "-help=1")"},
      {{"--"}, R"(unknown flag "--")"},
      {{"-"}, R"(unknown flag "-")"},
      {{"stray"}, R"(unexpected argument "stray")"},
      {{"-dump", "stray"}, R"(unexpected argument "stray")"},
      {{"-kong-prefix"}, "-kong-prefix needs a directory"},
      {{"--kong-prefix="}, "-kong-prefix needs a directory"},
      {{"-max-message-bytes"}, "-max-message-bytes needs a positive number of bytes"},
      {{"-max-message-bytes", "lots"}, "-max-message-bytes needs a positive number of bytes"},
      {{"-max-message-bytes", "0"}, "-max-message-bytes needs a positive number of bytes"},
      {{"-max-message-bytes", "-5"}, "-max-message-bytes needs a positive number of bytes"},
      {{"-max-message-bytes", "12abc"}, "-max-message-bytes needs a positive number of bytes"},
      {{"-max-message-bytes="}, "-max-message-bytes needs a positive number of bytes"},
      {{"-busy-poll-us"}, "-busy-poll-us needs microseconds from 0 to 1000000"},
      {{"-busy-poll-us", "-1"}, "-busy-poll-us needs microseconds from 0 to 1000000"},
      {{"-busy-poll-us", "5ms"}, "-busy-poll-us needs microseconds from 0 to 1000000"},
      {{"-busy-poll-us", "1000001"}, "-busy-poll-us needs microseconds from 0 to 1000000"},
      {{"-stall-ms"}, "-stall-ms needs milliseconds from 0 to 3600000"},
      {{"-stall-ms", "20ms"}, "-stall-ms needs milliseconds from 0 to 3600000"},
      {{"-stall-ms", "3600001"}, "-stall-ms needs milliseconds from 0 to 3600000"},
      {{"-threads", "0"}, "-threads needs a number of threads from 1 to 1024"},
      {{"-threads", "many"}, "-threads needs a number of threads from 1 to 1024"},
      {{"-offload-us"}, "-offload-us needs microseconds from 0 to 60000000"},
      {{"-blocking-threads", "0"}, "-blocking-threads needs a number of threads from 1 to 4096"},
      {{"-grace-ms", "1s"}, "-grace-ms needs milliseconds from 0 to 3600000"},
      {{"-protocol"}, "-protocol needs MsgPack:1 or ProtoBuf:1"},
      {{"-protocol", "ProtoBuf:2"}, R"(-protocol needs MsgPack:1 or ProtoBuf:1, got "ProtoBuf:2")"},
      {{"--protocol=grpc"}, R"(-protocol needs MsgPack:1 or ProtoBuf:1, got "grpc")"},
      {{"-protocol="}, R"(-protocol needs MsgPack:1 or ProtoBuf:1, got "")"},
  };
  for (const auto& c : cases) {
    const auto cl = Parse(c.args);
    ASSERT_FALSE(cl.ok()) << c.args[0] << " accepted";
    EXPECT_EQ(cl.error().message, c.error) << c.args[0];
  }
}

TEST(CommandLine, DescribesEveryFlagInItsUsage) {
  const std::string text = usage("my-plugin");
  EXPECT_TRUE(text.starts_with("Usage: my-plugin [flags]\n")) << text;
  for (const char* flag :
       {"-dump", "-kong-prefix DIR", "-max-message-bytes N", "-busy-poll-us N", "-stall-ms N",
        "-threads N", "-offload-us N", "-blocking-threads N", "-grace-ms N", "-protocol NAME",
        "MsgPack:1", "ProtoBuf:1", "-help", "/usr/local/kong", "<executable name>.socket"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag << " missing from:\n" << text;
  }
}

}  // namespace
}  // namespace kong::server
