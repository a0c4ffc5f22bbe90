#include "kong/pdk/protocol.h"

#include <gtest/gtest.h>

#include "kong/pdk/plugin.h"

namespace kong {
namespace {

TEST(Protocol, IsNamedAsKongReadsItFromDump) {
  EXPECT_EQ(to_string(Protocol::msgpack), "MsgPack:1");
  EXPECT_EQ(to_string(Protocol::protobuf), "ProtoBuf:1");
}

TEST(Protocol, ParsesKongsNamesAndTheShortOnesInAnyCase) {
  for (const char* name : {"MsgPack:1", "msgpack:1", "MSGPACK:1", "msgpack", "MsgPack"})
    EXPECT_EQ(parse_protocol(name), Protocol::msgpack) << name;
  for (const char* name : {"ProtoBuf:1", "protobuf:1", "PROTOBUF", "protobuf", "ProtoBuf"})
    EXPECT_EQ(parse_protocol(name), Protocol::protobuf) << name;
}

TEST(Protocol, RefusesOtherNames) {
  for (const char* name : {"", "ProtoBuf:2", "msgpack:", "grpc", "protobuf:1 ", ":1", "MsgPack:1x"})
    EXPECT_EQ(parse_protocol(name), std::nullopt) << '"' << name << '"';
}

TEST(Protocol, IsMsgPackUnlessThePluginChoosesProtoBuf) {
  EXPECT_EQ(ServerOptions{}.protocol, Protocol::msgpack);
  const ServerOptions chosen{.protocol = Protocol::protobuf};
  EXPECT_EQ(chosen.protocol, Protocol::protobuf);
}

}  // namespace
}  // namespace kong
