#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "kong/protocol/msgpack_codec.h"

namespace kong::protocol {

/// Splits a byte stream into MessagePack values (MsgPack:1 has no other
/// framing). Bytes are read straight into its buffer; every complete value
/// is handed out, however many arrived in one read. Used by the plugin
/// server and by mock-kong alike.
class MsgpackStream {
 public:
  explicit MsgpackStream(MsgpackLimits limits = {});

  /// Free space at the end of the buffer, at least `min_bytes` long, to read into.
  std::span<char> prepare(std::size_t min_bytes = 64 * 1024);
  /// Marks `n` bytes of the prepared space as received.
  void commit(std::size_t n) { end_ += n; }

  enum class Status { value, need_more, error };
  /// Takes the next complete value. On error, `error` says what and at which
  /// byte of the stream; the stream cannot be resynchronized after that.
  Status next(Value& out, std::string& error);

  /// Stream offset of the next value's first byte.
  std::size_t offset() const { return consumed_ + begin_; }
  /// Bytes received but not yet handed out.
  std::size_t buffered() const { return end_ - begin_; }

 private:
  MsgpackLimits limits_;
  MsgpackScanner scanner_;
  std::unique_ptr<char[]> buf_;  // not zero-filled: reads overwrite it
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;     // first byte of the next value
  std::size_t end_ = 0;       // end of received bytes
  std::size_t consumed_ = 0;  // bytes dropped from the front, for offsets
};

}  // namespace kong::protocol
