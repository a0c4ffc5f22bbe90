#include "kong/protocol/frame_stream.h"

#include <fmt/format.h>

namespace kong::protocol {

FrameStream::Status FrameStream::next(std::string_view& out, std::string& error) {
  const std::string_view pending = buffer_.pending();
  if (pending.size() < 4)
    return Status::need_more;
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(pending[i]));
  };
  const std::uint32_t size = byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24;
  if (size > max_) {
    error = fmt::format("frame at byte {}: declares {} bytes, more than the limit of {}", offset(),
                        size, max_);
    return Status::error;
  }
  if (pending.size() - 4 < size)
    return Status::need_more;
  out = pending.substr(4, size);
  buffer_.consume(4 + size);
  return Status::frame;
}

void append_frame(std::string& out, std::string_view payload) {
  const auto size = static_cast<std::uint32_t>(payload.size());
  for (int shift = 0; shift < 32; shift += 8)
    out.push_back(static_cast<char>((size >> shift) & 0xff));
  out.append(payload);
}

}  // namespace kong::protocol
