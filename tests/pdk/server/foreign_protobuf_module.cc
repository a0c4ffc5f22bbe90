// A ProtoBuf:1 module as another build of the PDK would make it: the
// plugin server must refuse it rather than exchange objects with it.
extern "C" {
[[gnu::visibility("default")]] extern const char kong_pdk_protobuf_abi[];
const char kong_pdk_protobuf_abi[] = "KongPDK 0.0.1, GCC 99.0.0";
}
