#include "kong/protocol/msgpack_stream.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pdk/test_values.h"

namespace kong::protocol {
namespace {

using test::Encode;
using test::Hex;
using test::Raw;
using test::StrMap;

// Copies `bytes` into the stream as reads would, in chunks of at most `chunk`.
void Feed(MsgpackStream& stream, std::string_view bytes, std::size_t chunk = 64 * 1024) {
  while (!bytes.empty()) {
    const auto space = stream.prepare(std::min(chunk, bytes.size()));
    const std::size_t n = std::min({chunk, bytes.size(), space.size()});
    std::memcpy(space.data(), bytes.data(), n);
    stream.commit(n);
    bytes.remove_prefix(n);
  }
}

// Takes every value the stream has; stops at need_more or at an error.
struct Taken {
  std::vector<Value> values;
  std::string error;
};

Taken TakeAll(MsgpackStream& stream) {
  Taken taken;
  for (;;) {
    Value v;
    switch (stream.next(v, taken.error)) {
      case MsgpackStream::Status::value:
        taken.values.push_back(std::move(v));
        break;
      case MsgpackStream::Status::need_more:
        return taken;
      case MsgpackStream::Status::error:
        return taken;
    }
  }
}

Value Request(int msgid, std::string_view method, Array params) {
  return Value(Array{0, msgid, method, Value(std::move(params))});
}

TEST(MsgpackStream, HandsOutEveryValueThatArrivedInOneRead) {
  const std::vector<Value> sent = {
      Request(1, "plugin.StartInstance", {StrMap({{"Name", "hello"}, {"Config", "{}"}})}),
      Value(7),
      Request(2, "plugin.HandleEvent", {StrMap({{"InstanceId", 1}, {"EventName", "access"}})}),
      Value(Array{}),
  };
  std::string bytes;
  for (const auto& v : sent)
    bytes += Encode(v);
  MsgpackStream stream;
  Feed(stream, bytes);
  const Taken taken = TakeAll(stream);
  EXPECT_EQ(taken.error, "");
  EXPECT_EQ(taken.values, sent);
  EXPECT_EQ(stream.buffered(), 0u);
  EXPECT_EQ(stream.offset(), bytes.size());
}

TEST(MsgpackStream, ReassemblesAValueSplitAtEveryByteBoundary) {
  const Value sent = Request(
      9, "plugin.Step",
      {StrMap(
          {{"EventId", 3},
           {"Data", StrMap({{"host", Array{"example.com"}}, {"x", Bytes{Raw({0x00, 0x01})}}})}})});
  const std::string bytes = Encode(sent, StrForm::kong) + Encode(Value(42));
  for (std::size_t split = 1; split < bytes.size() - 1; ++split) {
    MsgpackStream stream;
    Feed(stream, std::string_view(bytes).substr(0, split));
    const Taken before = TakeAll(stream);
    ASSERT_EQ(before.error, "") << "split at " << split;
    ASSERT_TRUE(before.values.empty()) << "split at " << split;
    Feed(stream, std::string_view(bytes).substr(split));
    const Taken after = TakeAll(stream);
    ASSERT_EQ(after.error, "") << "split at " << split;
    ASSERT_EQ(after.values, (std::vector<Value>{sent, Value(42)})) << "split at " << split;
  }
}

TEST(MsgpackStream, ReassemblesALargeValueArrivingInSmallReads) {
  const Value sent = Array{std::string(200000, 'b'), Bytes{std::string(70000, '\xff')}, 1};
  const std::string bytes = Encode(sent);
  MsgpackStream stream;
  std::vector<Value> got;
  for (std::size_t at = 0; at < bytes.size(); at += 977) {
    Feed(stream, std::string_view(bytes).substr(at, 977), 977);
    Taken taken = TakeAll(stream);
    ASSERT_EQ(taken.error, "") << "at byte " << at;
    for (auto& v : taken.values)
      got.push_back(std::move(v));
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], sent);
}

TEST(MsgpackStream, RefusesAHugeDeclaredStringBeforeItsBytesArrive) {
  MsgpackStream stream(MsgpackLimits{1024, 256});
  // A request whose method is a str32 declaring 1 MB; only its header is here.
  Feed(stream, Raw({0x94, 0x00, 0x01, 0xdb, 0x00, 0x10, 0x00, 0x00}));
  const Taken taken = TakeAll(stream);
  EXPECT_TRUE(taken.values.empty());
  EXPECT_EQ(taken.error, "message at byte 0: byte 3: message larger than the 1024-byte limit");
}

TEST(MsgpackStream, NamesTheStreamOffsetOfABadMessageAfterEarlierValues) {
  const std::string first = Encode(Request(1, "plugin.GetInstanceStatus", {1}));
  const std::string second = Encode(Value("x"));
  MsgpackStream stream;
  Feed(stream, first + second + Raw({0xc1}));
  const Taken taken = TakeAll(stream);
  EXPECT_EQ(taken.values.size(), 2u);
  EXPECT_EQ(taken.error, "message at byte " + std::to_string(first.size() + second.size()) +
                             ": byte 0: 0xc1 is not a MessagePack type");
}

TEST(MsgpackStream, CountsOffsetsAcrossReadsThatWereFullyHandedOut) {
  const std::string first = Encode(Value(std::string(100, 'a')));
  const std::string second = Encode(Value(Array{1, 2, 3}));
  MsgpackStream stream;
  Feed(stream, first);
  ASSERT_EQ(TakeAll(stream).values.size(), 1u);
  Feed(stream, second);
  ASSERT_EQ(TakeAll(stream).values.size(), 1u);
  Feed(stream, Raw({0x92, 0x01, 0xc1}));
  EXPECT_EQ(TakeAll(stream).error, "message at byte " +
                                       std::to_string(first.size() + second.size()) +
                                       ": byte 2: 0xc1 is not a MessagePack type");
}

TEST(MsgpackStream, CountsOffsetsAcrossBufferCompaction) {
  const std::string first = Encode(Value(std::string(28, 'a')));   // 29 bytes
  const std::string second = Encode(Value(std::string(20, 'b')));  // 21 bytes
  MsgpackStream stream;
  // first and the start of second fill most of a 64-byte buffer...
  auto space = stream.prepare(64);
  ASSERT_GE(space.size(), 40u);
  const std::string head = first + second.substr(0, 11);
  std::memcpy(space.data(), head.data(), head.size());
  stream.commit(head.size());
  ASSERT_EQ(TakeAll(stream).values.size(), 1u);
  EXPECT_EQ(stream.offset(), first.size());
  EXPECT_EQ(stream.buffered(), 11u);
  // ...so asking for 40 bytes of room moves the pending 11 to the front.
  space = stream.prepare(40);
  ASSERT_GE(space.size(), 40u);
  const std::string tail = second.substr(11) + Raw({0xc1});
  std::memcpy(space.data(), tail.data(), tail.size());
  stream.commit(tail.size());
  const Taken taken = TakeAll(stream);
  ASSERT_EQ(taken.values, (std::vector<Value>{Value(std::string(20, 'b'))}));
  EXPECT_EQ(taken.error, "message at byte " + std::to_string(first.size() + second.size()) +
                             ": byte 0: 0xc1 is not a MessagePack type");
}

TEST(MsgpackStream, KeepsRefusingAfterAnError) {
  MsgpackStream stream;
  Feed(stream, Raw({0xc1, 0x01}));
  Value v;
  std::string error;
  EXPECT_EQ(stream.next(v, error), MsgpackStream::Status::error);
  error.clear();
  EXPECT_EQ(stream.next(v, error), MsgpackStream::Status::error);
  EXPECT_EQ(error, "message at byte 0: byte 0: 0xc1 is not a MessagePack type");
}

TEST(MsgpackStream, RefusesNestingDeeperThanTheLimit) {
  MsgpackStream stream(MsgpackLimits{1024, 2});
  Feed(stream, Encode(Value(1)) + Raw({0x91, 0x91, 0x91, 0x01}));
  const Taken taken = TakeAll(stream);
  EXPECT_EQ(taken.values, std::vector<Value>{Value(1)});
  EXPECT_EQ(taken.error, "message at byte 1: byte 3: nesting deeper than 2");
}

TEST(MsgpackStream, WaitsWithoutErrorWhenNothingArrived) {
  MsgpackStream stream;
  Value v;
  std::string error;
  EXPECT_EQ(stream.next(v, error), MsgpackStream::Status::need_more);
  EXPECT_EQ(error, "");
  EXPECT_EQ(stream.offset(), 0u);
  EXPECT_EQ(stream.buffered(), 0u);
}

}  // namespace
}  // namespace kong::protocol
