// ProtoBuf:1 byte for byte (protocol.md §4): Kong's frames, written out by
// hand from the field numbers in protocol.md (never by our codec or the
// generated classes), sent to a real server process, and the exact bytes it
// must write back.
//
// Protobuf encoding in brief: a field's key is (number << 3 | wire type) as
// a varint; wire type 0 is a varint, 1 eight little-endian bytes, 2 a varint
// length and that many bytes. A frame is a 4-byte little-endian length, then
// the bytes.
#include <cstdint>
#include <ctime>
#include <string>

#include <gtest/gtest.h>

#include "pdk/server/server_process.h"
#include "pdk/server/socket_client.h"
#include "pdk/test_values.h"

namespace kong::test {
namespace {

using namespace std::string_literals;

// Kong: RpcCall{sequence = 1, cmd_start_instance = {name, config}}.
const std::string kStartInstance =
    "\x38\x00\x00\x00"s                     // frame of 56 bytes
    "\x08\x01"                              // sequence (1, varint): 1
    "\x8a\x02\x33"                          // cmd_start_instance (33, length): 51 bytes
    "\x0a\x0f"                              //   name (1, length): 15 bytes
    "pdk_test_plugin"                       //
    "\x12\x20"                              //   config (2, length): 32 bytes
    R"({"__seq__":3,"mode":"read-host"})";  //

// Server: RpcReturn{sequence = 1, instance_status = {...}}, up to started_at,
// whose varint value is the server's clock: five bytes from 2^28 s (1978) to
// 2^35 s (3058). The test compares every other byte and checks that the
// five decode to a time between its clock before and after the call.
const std::string kInstanceStatusBeforeStartedAt =
    "\x4b\x00\x00\x00"s                     // frame of 75 bytes
    "\x08\x01"                              // sequence (1, varint): 1
    "\x8a\x02\x46"                          // instance_status (33, length): 70 bytes
    "\x0a\x0f"                              //   name (1, length): 15 bytes
    "pdk_test_plugin"                       //
    "\x10\x03"                              //   instance_id (2, varint): 3
    "\x1a\x2b"                              //   config (3, length): 43 bytes of Value
    "\x2a\x29"                              //     struct_value (5, length): 41 bytes
    "\x0a\x12"                              //       fields (1, length): 18-byte entry
    "\x0a\x05"                              //         key (1, length): 5 bytes
    "limit"                                 //
    "\x12\x09"                              //         value (2, length): 9 bytes
    "\x11\x00\x00\x00\x00\x00\x00\x24\x40"  //           number_value (2, double): 10
    "\x0a\x13"                              //       fields (1, length): 19-byte entry
    "\x0a\x04"                              //         key (1, length): 4 bytes
    "mode"                                  //
    "\x12\x0b"                              //         value (2, length): 11 bytes
    "\x1a\x09"                              //           string_value (3, length): 9
    "read-host"                             //
    "\x20";                                 //   started_at (4, varint): 5 bytes follow
constexpr std::size_t kStartedAtBytes = 5;

// Kong: RpcCall{sequence = 2, cmd_handle_event = {instance_id = 3, event_name = "access"}}.
const std::string kHandleEvent =
    "\x0f\x00\x00\x00"s  // frame of 15 bytes
    "\x08\x02"           // sequence (1, varint): 2
    "\xa2\x02\x0a"       // cmd_handle_event (36, length): 10 bytes
    "\x08\x03"           //   instance_id (1, varint): 3
    "\x12\x06"           //   event_name (2, length): 6 bytes
    "access";            //

// Server: the call kong.request.get_header("host"): its name, then String{v = "host"}.
const std::string kGetHeaderCall =
    "\x17\x00\x00\x00"s        // frame of 23 bytes
    "kong.request.get_header"  //
    "\x06\x00\x00\x00"         // frame of 6 bytes
    "\x0a\x04"                 //   v (1, length): 4 bytes
    "host";                    //

// Kong: the result, String{v = "example.com"}.
const std::string kGetHeaderResult =
    "\x0d\x00\x00\x00"s  // frame of 13 bytes
    "\x0a\x0b"           //   v (1, length): 11 bytes
    "example.com";       //

// Server: the handler returned: an empty frame, then RpcReturn{sequence = 2}.
const std::string kEventEnd =
    "\x00\x00\x00\x00"s  // empty frame: no more calls
    "\x02\x00\x00\x00"   // frame of 2 bytes
    "\x08\x02";          // sequence (1, varint): 2

// A varint of exactly `bytes.size()` bytes, or -1.
std::int64_t DecodeVarint(std::string_view bytes) {
  std::int64_t value = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    const bool last = i + 1 == bytes.size();
    if (((byte & 0x80) == 0) != last)
      return -1;
    value |= static_cast<std::int64_t>(byte & 0x7f) << (7 * i);
  }
  return value;
}

class ProtobufConformance : public ServerTest {};

TEST_F(ProtobufConformance, AnswersKongsFramesWithTheExactBytesOfProtocolMd) {
  StartServer(kTestPluginBin, kTestPluginName, {"-protocol", "ProtoBuf:1"});
  SocketClient kong(socket_path_);
  ASSERT_TRUE(kong.connected());

  const auto before = static_cast<std::int64_t>(std::time(nullptr));
  ASSERT_TRUE(kong.SendBytes(kStartInstance));
  std::string got;
  ASSERT_TRUE(kong.ReadExactly(kInstanceStatusBeforeStartedAt.size() + kStartedAtBytes, got,
                               "the instance status"));
  const auto after = static_cast<std::int64_t>(std::time(nullptr));
  const std::string_view got_view(got);
  EXPECT_EQ(Hex(got_view.substr(0, kInstanceStatusBeforeStartedAt.size())),
            Hex(kInstanceStatusBeforeStartedAt));
  const std::int64_t started_at =
      DecodeVarint(got_view.substr(kInstanceStatusBeforeStartedAt.size()));
  EXPECT_GE(started_at, before) << Hex(got);
  EXPECT_LE(started_at, after) << Hex(got);

  ASSERT_TRUE(kong.SendBytes(kHandleEvent));
  ASSERT_TRUE(kong.ReadExactly(kGetHeaderCall.size(), got, "the get_header call"));
  EXPECT_EQ(Hex(got), Hex(kGetHeaderCall));

  ASSERT_TRUE(kong.SendBytes(kGetHeaderResult));
  ASSERT_TRUE(kong.ReadExactly(kEventEnd.size(), got, "the end of the event"));
  EXPECT_EQ(Hex(got), Hex(kEventEnd));
}

}  // namespace
}  // namespace kong::test
