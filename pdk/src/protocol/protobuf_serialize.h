#pragma once

#include <string>

#include <google/protobuf/message.h>

namespace kong::protocol::protobuf {

/// A message's bytes, map entries sorted by key: protobuf writes maps (a
/// google.protobuf.Struct's fields) in hash order otherwise, and the same
/// value must give the same bytes (the conformance tests, recorded frames).
/// Private to this tree: public headers stay free of protobuf.
std::string serialize(const google::protobuf::Message& message);

}  // namespace kong::protocol::protobuf
