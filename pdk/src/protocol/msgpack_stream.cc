#include "kong/protocol/msgpack_stream.h"

#include <fmt/format.h>

namespace kong::protocol {

MsgpackStream::MsgpackStream(MsgpackLimits limits) : limits_(limits), scanner_(limits) {}

MsgpackStream::Status MsgpackStream::next(Value& out, std::string& error) {
  const std::string_view pending = buffer_.pending();
  if (pending.empty())
    return Status::need_more;
  // Most messages arrive whole: decoded at once, in one pass. One that did
  // not, or does not decode, is scanned: the scanner waits for the rest
  // without decoding it again as each chunk comes, and names what is wrong.
  if (!scanner_.started()) {
    std::size_t used = 0;
    if (msgpack_decode_first(pending, limits_, out, used)) {
      buffer_.consume(used);
      return Status::value;
    }
  }
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
  buffer_.consume(size);
  return Status::value;
}

}  // namespace kong::protocol
