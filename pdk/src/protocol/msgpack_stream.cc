#include "kong/protocol/msgpack_stream.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace kong::protocol {

MsgpackStream::MsgpackStream(MsgpackLimits limits) : limits_(limits), scanner_(limits) {}

std::span<char> MsgpackStream::prepare(std::size_t min_bytes) {
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

MsgpackStream::Status MsgpackStream::next(Value& out, std::string& error) {
  if (begin_ == end_)
    return Status::need_more;
  const std::string_view pending(buf_.get() + begin_, end_ - begin_);
  switch (scanner_.feed(pending)) {
    case MsgpackScanner::State::need_more:
      return Status::need_more;
    case MsgpackScanner::State::error:
      error = fmt::format("message at byte {}: {}", offset(), scanner_.error());
      return Status::error;
    case MsgpackScanner::State::complete:
      break;
  }
  const std::size_t size = scanner_.size();
  auto decoded = msgpack_decode(pending.substr(0, size), offset(), limits_);
  scanner_.reset();
  if (!decoded) {
    error = decoded.error().message;
    return Status::error;
  }
  out = std::move(decoded).value();
  begin_ += size;
  if (begin_ == end_) {  // all handed out: start again at the front, cheaply
    consumed_ += begin_;
    begin_ = end_ = 0;
  }
  return Status::value;
}

}  // namespace kong::protocol
