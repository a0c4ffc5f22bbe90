#pragma once

#include <stdexcept>

#include <google/protobuf/struct.pb.h>

#include "kong/protocol/value.h"

namespace kong::protocol::protobuf {

/// Inside the codec: bytes that are not the expected message, or a value
/// that does not fit it. The public functions turn it into an Error.
class CodecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// `v` as a plugin writes it into a google.protobuf.Value: numbers become
/// doubles, maps Structs, arrays ListValues. Throws CodecError for a map key
/// that is not a string. The server uses it for an instance's configuration,
/// which protobuf's own JSON parser would also convert, at the price of
/// linking protobuf's whole JSON machinery into every plugin.
/// Private to this tree: public headers stay free of protobuf.
void to_protobuf_value(const Value& v, google::protobuf::Value& out);

}  // namespace kong::protocol::protobuf
