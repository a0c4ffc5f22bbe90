// MsgPack:1's byte stream (kong/protocol/msgpack_stream.h) on arbitrary
// bytes, arriving in pieces as a socket gives them: it yields values, waits
// for more or names an error, and never yields a value after an error.
#include "kong/protocol/msgpack_stream.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kong/protocol/rpc_message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  // The first byte picks the size of the pieces the rest arrives in.
  const std::size_t piece = 1 + data[0] % 64;
  ++data;
  --size;
  kong::protocol::MsgpackStream stream(kong::protocol::MsgpackLimits{1 << 16, 64});
  for (std::size_t at = 0; at < size;) {
    const std::size_t n = std::min(piece, size - at);
    auto space = stream.prepare(n);
    std::memcpy(space.data(), data + at, n);
    stream.commit(n);
    at += n;
    for (;;) {
      kong::protocol::Value value;
      std::string error;
      const auto status = stream.next(value, error);
      if (status == kong::protocol::MsgpackStream::Status::error) {
        if (error.empty())
          std::abort();  // an error must say what
        return 0;        // a server closes here
      }
      if (status == kong::protocol::MsgpackStream::Status::need_more)
        break;
      // What a server does next with each value.
      (void)kong::protocol::rpc::parse_request(std::move(value));
    }
  }
  return 0;
}
