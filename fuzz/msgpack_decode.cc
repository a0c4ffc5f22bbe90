// The MessagePack decoder (kong/protocol/msgpack_codec.h) on arbitrary
// bytes: the scanner and the decoder agree on where a value ends, and what
// decodes re-encodes to bytes that decode to the same value.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kong/protocol/msgpack_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Small limits, so that the fuzzer meets them.
  const kong::protocol::MsgpackLimits limits{4096, 32};
  kong::protocol::MsgpackScanner scanner(limits);
  if (scanner.feed(bytes) != kong::protocol::MsgpackScanner::State::complete)
    return 0;
  auto value = kong::protocol::msgpack_decode(bytes.substr(0, scanner.size()), 0, limits);
  if (!value)
    return 0;
  std::string again;
  kong::protocol::msgpack_encode(*value, again);
  auto decoded = kong::protocol::msgpack_decode(again);
  if (!decoded || !(*decoded == *value))
    std::abort();  // a value that does not survive its own encoding
  return 0;
}
