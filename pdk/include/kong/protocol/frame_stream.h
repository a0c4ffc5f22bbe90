#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "kong/protocol/receive_buffer.h"

namespace kong::protocol {

/// ProtoBuf:1 framing (protocol.md §4): each frame is a 4-byte little-endian
/// length, then that many bytes. Splits a byte stream into frames, however
/// many arrived in one read. Used by the plugin server and by mock-kong.
class FrameStream {
 public:
  /// Frames declaring more than `max_frame_bytes` are refused as soon as
  /// their length is read, before their bytes are awaited.
  explicit FrameStream(std::size_t max_frame_bytes = 64u << 20) : max_(max_frame_bytes) {}

  std::span<char> prepare(std::size_t min_bytes = 64 * 1024) { return buffer_.prepare(min_bytes); }
  void commit(std::size_t n) { buffer_.commit(n); }

  enum class Status { frame, need_more, error };
  /// Takes the next complete frame: `out` views the buffer until the next
  /// prepare(). On error, `error` says what and at which byte of the stream.
  Status next(std::string_view& out, std::string& error);

  /// Stream offset of the next frame's length prefix.
  std::size_t offset() const { return buffer_.offset(); }
  std::size_t buffered() const { return buffer_.pending().size(); }

 private:
  std::size_t max_;
  ReceiveBuffer buffer_;
};

/// Appends one frame: the length prefix, then `payload`.
void append_frame(std::string& out, std::string_view payload);

}  // namespace kong::protocol
