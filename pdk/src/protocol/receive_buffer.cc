#include "kong/protocol/receive_buffer.h"

#include <algorithm>
#include <cstring>

namespace kong::protocol {

std::span<char> ReceiveBuffer::prepare(std::size_t min_bytes) {
  if (capacity_ - end_ < min_bytes) {
    // Drop handed-out bytes first; grow only when what is pending needs it.
    const std::size_t pending = end_ - begin_;
    if (begin_ > 0 && capacity_ - pending >= min_bytes) {
      std::memmove(buf_.get(), buf_.get() + begin_, pending);
    } else {
      const std::size_t capacity = std::max(capacity_ * 2, pending + min_bytes);
      auto grown = std::make_unique_for_overwrite<char[]>(capacity);
      if (pending > 0)
        std::memcpy(grown.get(), buf_.get() + begin_, pending);
      buf_ = std::move(grown);
      capacity_ = capacity;
    }
    consumed_ += begin_;
    begin_ = 0;
    end_ = pending;
  }
  return {buf_.get() + end_, capacity_ - end_};
}

void ReceiveBuffer::consume(std::size_t n) {
  begin_ += n;
  if (begin_ == end_) {  // all handed out: start again at the front, cheaply
    consumed_ += begin_;
    begin_ = end_ = 0;
  }
}

}  // namespace kong::protocol
