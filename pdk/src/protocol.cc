#include "kong/pdk/protocol.h"

#include "kong/protocol/ascii.h"

namespace kong {

using protocol::equals_ignoring_case;

std::string_view to_string(Protocol p) {
  switch (p) {
    case Protocol::msgpack:
      return "MsgPack:1";
    case Protocol::protobuf:
      return "ProtoBuf:1";
  }
  return "?";
}

std::optional<Protocol> parse_protocol(std::string_view name) {
  for (Protocol p : {Protocol::msgpack, Protocol::protobuf}) {
    const std::string_view full = to_string(p);
    // "MsgPack:1" without its ":1" is the short name.
    if (equals_ignoring_case(name, full) ||
        equals_ignoring_case(name, full.substr(0, full.find(':'))))
      return p;
  }
  return std::nullopt;
}

}  // namespace kong
