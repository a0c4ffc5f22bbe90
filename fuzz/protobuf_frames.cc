// ProtoBuf:1's framing (kong/protocol/frame_stream.h) on arbitrary bytes in
// pieces: frames come out whole and within the limit, or an error says why.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "kong/protocol/frame_stream.h"

#include "proto/kong_plugin_protocol.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::size_t piece = 1 + data[0] % 64;
  ++data;
  --size;
  constexpr std::size_t kLimit = 1 << 16;
  kong::protocol::FrameStream frames(kLimit);
  for (std::size_t at = 0; at < size;) {
    const std::size_t n = std::min(piece, size - at);
    auto space = frames.prepare(n);
    std::memcpy(space.data(), data + at, n);
    frames.commit(n);
    at += n;
    for (;;) {
      std::string_view frame;
      std::string error;
      const auto status = frames.next(frame, error);
      if (status == kong::protocol::FrameStream::Status::error) {
        if (error.empty())
          std::abort();
        return 0;
      }
      if (status == kong::protocol::FrameStream::Status::need_more)
        break;
      if (frame.size() > kLimit)
        std::abort();  // a frame past the limit got through
      // What a server does next with each frame.
      kong_plugin_protocol::RpcCall call;
      (void)call.ParseFromArray(frame.data(), static_cast<int>(frame.size()));
    }
  }
  return 0;
}
