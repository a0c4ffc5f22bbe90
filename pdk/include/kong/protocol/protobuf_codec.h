#pragma once

#include <string>
#include <string_view>

#include "kong/protocol/method_table.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

/// ProtoBuf:1 PDK calls (docs/protocols.md): a call's positional arguments
/// and its result, converted to and from the protobuf messages the method
/// table names for it (`pb_input`, `pb_output`). The conversion is generic,
/// driven by each message's descriptor, and follows Kong's own rules
/// (kong/runloop/plugin_servers/pb_rpc.lua):
///
/// - an argument message unwraps into positional arguments, one per field in
///   field-number order (`KV` is `k, v`; `ExitArgs` is `status, body,
///   headers`); `ListValue` spreads into its values (kong.log.*); `Struct`
///   and `Value` are one argument; `Empty` is none;
/// - a result fills the wrapper's `v`, or a message's fields by name (an
///   entity's map); nil is an empty frame.
///
/// Values travel as protobuf gives them: numbers in google.protobuf.Value
/// are doubles, `Int` is 32-bit, and scalar fields always carry a value
/// (proto3 fills in 0, "" and false).
namespace kong::protocol::protobuf {

// Each conversion gives an Error, naming the message and the field, for
// bytes that are not the expected message or a value that does not fit it:
// what a peer sends is input, and bad input is normal here.

// The plugin server's side.

/// The call's input message; an Error when an argument does not fit (the
/// wrong type, an integer beyond 32 bits, more arguments than fields).
Result<std::string> encode_arguments(const MethodInfo& method, const Array& args);

/// Kong's answer as the value MsgPack:1 would carry. An empty frame is Kong's
/// nil: Nil where the C++ result is optional, else the message's defaults.
/// A RawBodyResult naming the file Kong buffered a large body to comes back
/// as the map {body_filepath = path}: reading files is the caller's business
/// (the server's), not a codec's.
Result<Value> decode_result(const MethodInfo& method, std::string_view frame);

// Kong's side (mock-kong).

/// The arguments Kong's Lua function gets, with Kong's quirks: scalar fields
/// default to 0, "" and false; in google.protobuf.Value `false` becomes nil
/// and null the string "NULL_VALUE".
Result<Array> decode_arguments(const MethodInfo& method, std::string_view frame);

/// The answer frame for a result (nil: an empty frame); an Error when the
/// result does not fit the output message, where Kong's encoder raises one.
Result<std::string> encode_result(const MethodInfo& method, const Value& result);

}  // namespace kong::protocol::protobuf
