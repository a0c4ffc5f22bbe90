#include "kong/protocol/frame_stream.h"

#include <cstring>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kong::protocol {
namespace {

void feed(FrameStream& s, std::string_view bytes) {
  auto space = s.prepare(bytes.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  s.commit(bytes.size());
}

TEST(FrameStream, LengthPrefixIsFourBytesLittleEndian) {
  std::string out;
  append_frame(out, std::string(258, 'x'));
  EXPECT_EQ(out.substr(0, 4), std::string("\x02\x01\x00\x00", 4));
  EXPECT_EQ(out.size(), 262u);
}

TEST(FrameStream, HandsOutEveryFrameThatArrivedInOneRead) {
  std::string wire;
  append_frame(wire, "kong.request.get_header");
  append_frame(wire, "");
  append_frame(wire, "abc");
  FrameStream s;
  feed(s, wire);
  std::string_view frame;
  std::string error;
  ASSERT_EQ(s.next(frame, error), FrameStream::Status::frame);
  EXPECT_EQ(frame, "kong.request.get_header");
  ASSERT_EQ(s.next(frame, error), FrameStream::Status::frame);
  EXPECT_EQ(frame, "");
  ASSERT_EQ(s.next(frame, error), FrameStream::Status::frame);
  EXPECT_EQ(frame, "abc");
  EXPECT_EQ(s.next(frame, error), FrameStream::Status::need_more);
}

TEST(FrameStream, WaitsForAFrameCutAnywhere) {
  std::string wire;
  append_frame(wire, "hello");
  FrameStream s;
  std::string_view frame;
  std::string error;
  for (std::size_t i = 0; i + 1 < wire.size(); ++i) {
    feed(s, wire.substr(i, 1));
    ASSERT_EQ(s.next(frame, error), FrameStream::Status::need_more) << "after byte " << i;
  }
  feed(s, wire.substr(wire.size() - 1));
  ASSERT_EQ(s.next(frame, error), FrameStream::Status::frame);
  EXPECT_EQ(frame, "hello");
}

TEST(FrameStream, RefusesAFrameOverTheLimitNamingItsOffset) {
  std::string wire;
  append_frame(wire, "ok");
  wire += std::string("\xff\xff\xff\x7f", 4);
  FrameStream s(1024);
  feed(s, wire);
  std::string_view frame;
  std::string error;
  ASSERT_EQ(s.next(frame, error), FrameStream::Status::frame);
  ASSERT_EQ(s.next(frame, error), FrameStream::Status::error);
  EXPECT_THAT(error, ::testing::HasSubstr("frame at byte 6: declares 2147483647 bytes"));
}

}  // namespace
}  // namespace kong::protocol
