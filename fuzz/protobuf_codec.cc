// The ProtoBuf:1 codec (kong/protocol/protobuf_codec.h) on arbitrary
// frames: Kong's arguments and answers for every PDK function decode to a
// value or an Error, and what decodes encodes again.
#include "kong/protocol/protobuf_codec.h"

#include <cstdint>
#include <string_view>

#include "kong/protocol/method_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kong::protocol;
  if (size < 2)
    return 0;
  // The first byte picks the function, the second which side decodes.
  const MethodInfo& method = kMethods[data[0] % kMethodCount];
  const bool plugin_side = (data[1] & 1) != 0;
  const std::string_view frame(reinterpret_cast<const char*>(data + 2), size - 2);
  if (method.pb_input.empty())
    return 0;  // no rpc: Kong cannot send it
  if (plugin_side) {
    // The server reads Kong's answer to the call.
    if (auto result = protobuf::decode_result(method, frame))
      (void)protobuf::encode_result(method, *result);
  } else {
    // mock-kong reads the call's arguments, as Kong does.
    if (auto args = protobuf::decode_arguments(method, frame))
      (void)protobuf::encode_arguments(method, *args);
  }
  return 0;
}
