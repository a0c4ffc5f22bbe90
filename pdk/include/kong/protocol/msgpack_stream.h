#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "kong/protocol/msgpack_codec.h"
#include "kong/protocol/receive_buffer.h"

namespace kong::protocol {

/// Splits a byte stream into MessagePack values (MsgPack:1 has no other
/// framing). Bytes are read straight into its buffer; every complete value
/// is handed out, however many arrived in one read. Used by the plugin
/// server and by mock-kong alike.
class MsgpackStream {
 public:
  explicit MsgpackStream(MsgpackLimits limits = {});

  /// Free space at the end of the buffer, at least `min_bytes` long, to read into.
  std::span<char> prepare(std::size_t min_bytes = 64 * 1024) { return buffer_.prepare(min_bytes); }
  /// Marks `n` bytes of the prepared space as received.
  void commit(std::size_t n) { buffer_.commit(n); }

  enum class Status { value, need_more, error };
  /// Takes the next complete value. On error, `error` says what and at which
  /// byte of the stream; the stream cannot be resynchronized after that.
  Status next(Value& out, std::string& error);

  /// The bytes received and not yet handed out, from the next value's
  /// first: for a reader that takes a message where it lies
  /// (MsgpackReader), and then hands its bytes out with consume().
  std::string_view pending() const { return buffer_.pending(); }
  void consume(std::size_t n) {
    scanner_.reset();
    buffer_.consume(n);
  }

  /// Stream offset of the next value's first byte.
  std::size_t offset() const { return buffer_.offset(); }
  /// Bytes received but not yet handed out.
  std::size_t buffered() const { return buffer_.pending().size(); }

 private:
  MsgpackLimits limits_;
  MsgpackScanner scanner_;
  ReceiveBuffer buffer_;
};

}  // namespace kong::protocol
