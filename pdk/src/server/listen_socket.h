#pragma once

#include <string>

#include "kong/result.h"

namespace kong::server {

/// Binds and listens on a unix socket at `path`, as the Go PDK does: a socket
/// file already there (left by a server that died) is replaced; any other
/// kind of file is left alone and reported. Returns the listening fd.
Result<int> open_listen_socket(const std::string& path);

}  // namespace kong::server
