// The ProtoBuf:1 module's exports (server/protobuf_module.h).

#include "server/protobuf_connection.h"
#include "server/protobuf_module.h"

extern "C" {

[[gnu::visibility("default")]] extern const char kong_pdk_protobuf_abi[];
const char kong_pdk_protobuf_abi[] = KONG_PDK_PROTOBUF_ABI;

[[gnu::visibility("default")]] kong::server::Connection* kong_pdk_protobuf_new_connection(
    int fd, kong::server::EventLoop& loop, const kong::server::ProtobufContext& context) {
  return new kong::server::ProtobufConnection(fd, loop, context);
}

}  // extern "C"
