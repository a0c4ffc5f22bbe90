#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kong {

/// The wire protocol the plugin server speaks with Kong (protocol.md §3, §4).
/// Kong learns it from `-dump` and speaks it on every connection.
enum class Protocol : std::uint8_t {
  msgpack,   // "MsgPack:1": Kong's default, the Python and JavaScript PDKs'
  protobuf,  // "ProtoBuf:1": the Go PDK's
};

/// "MsgPack:1" or "ProtoBuf:1", as `-dump` reports it to Kong.
std::string_view to_string(Protocol p);

/// Kong's names ("MsgPack:1", "ProtoBuf:1") and the short "msgpack" and
/// "protobuf", in any case; nullopt for anything else.
std::optional<Protocol> parse_protocol(std::string_view name);

}  // namespace kong
