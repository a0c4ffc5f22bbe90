#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/connection.h"
#include "server/event_loop.h"
#include "server/instances.h"
#include "server/stack_pool.h"

/// ProtoBuf:1 lives in a module, libkong_pdk_protobuf.so, that a plugin
/// server loads when it speaks ProtoBuf:1. A MsgPack:1 plugin then carries
/// no protobuf code: linked in, protobuf's static initializers alone touched
/// a megabyte of the executable at start-up, all of it resident for the
/// server's life. The module uses the plugin's own copy of the server and
/// the protocol layer (the plugin exports its symbols), so both protocols
/// share one set of instances, events and handler stacks.
namespace kong::server {

class EventDriver;

/// What every ProtoBuf:1 connection of a server shares.
struct ProtobufContext {
  Instances& instances;
  /// Starts and runs the events' handlers, wherever they run.
  EventDriver& driver;
  /// The server's start, in seconds since the epoch (cmd_get_plugin_info).
  std::int64_t loaded_at;
  /// A frame declaring more is refused and its connection closed.
  std::size_t max_frame_bytes;
  /// Where the connections count their events in flight, if anywhere.
  std::size_t* running_events = nullptr;
};

/// The module's entry point: a ProtobufConnection on `fd`, which it owns.
using NewProtobufConnection = Connection* (*)(int fd, EventLoop& loop,
                                              const ProtobufContext& context);

/// Where a plugin looks for the module, in order: the plugin executable's
/// own directory (where a deployment puts it), then each directory the
/// dynamic loader searches for the plugin: its RUNPATH (where the PDK the
/// plugin was built against built or installed the module: kong::pdk adds
/// it), LD_LIBRARY_PATH, the system's directories.
std::vector<std::string> protobuf_module_paths();

/// Loads the first of `paths` that is a module built like the plugin (same
/// PDK version, compiler and sanitizers: KONG_PDK_PROTOBUF_ABI) and returns
/// its entry point. Throws std::runtime_error naming every path tried and
/// why it failed (no such file, the loader's error, another build).
NewProtobufConnection load_protobuf_module(
    const std::vector<std::string>& paths = protobuf_module_paths());

}  // namespace kong::server

/// The module's exports, looked up by these names.
#define KONG_PDK_PROTOBUF_ENTRY "kong_pdk_protobuf_new_connection"
#define KONG_PDK_PROTOBUF_ABI_SYMBOL "kong_pdk_protobuf_abi"

// What the module and the plugin must share: they exchange C++ objects, so
// the PDK version, the compiler and the sanitizer instrumentation.
#ifdef __SANITIZE_ADDRESS__
#define KONG_PDK_SANITIZED " (AddressSanitizer)"
#else
#define KONG_PDK_SANITIZED ""
#endif
#define KONG_PDK_PROTOBUF_ABI "KongPDK " KONG_PDK_VERSION ", GCC " __VERSION__ KONG_PDK_SANITIZED
