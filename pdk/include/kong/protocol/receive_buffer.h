#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

namespace kong::protocol {

/// Bytes received from a socket and not yet handed out, read straight into
/// its storage. The wire streams (MsgpackStream, FrameStream) cut messages
/// off its front.
class ReceiveBuffer {
 public:
  /// Free space at the end, at least `min_bytes` long, to read into.
  std::span<char> prepare(std::size_t min_bytes);
  /// Marks `n` bytes of the prepared space as received.
  void commit(std::size_t n) { end_ += n; }

  /// Received bytes not yet handed out.
  std::string_view pending() const { return {buf_.get() + begin_, end_ - begin_}; }
  /// Hands out the first `n` pending bytes.
  void consume(std::size_t n);

  /// Stream offset of the first pending byte, for error messages.
  std::size_t offset() const { return consumed_ + begin_; }

 private:
  std::unique_ptr<char[]> buf_;  // not zero-filled: reads overwrite it
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;     // first pending byte
  std::size_t end_ = 0;       // end of received bytes
  std::size_t consumed_ = 0;  // bytes dropped from the front, for offsets
};

}  // namespace kong::protocol
