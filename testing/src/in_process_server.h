#pragma once

#include <memory>
#include <string>

#include "kong/mock/session.h"
#include "kong/pdk/plugin.h"

namespace kong::testing {

/// A session on a plugin type served in this process: the plugin server's
/// own dispatcher, instances and handler fibers, reached by mock-kong's
/// MsgPack:1 client through memory instead of a socket. Every message still
/// goes through the MessagePack codec both ways, as on the wire, so a unit
/// test meets the very answers a replay over the socket does.
std::unique_ptr<mock::PluginSession> in_process_session(const std::string& name,
                                                        const PluginType& type);

}  // namespace kong::testing
