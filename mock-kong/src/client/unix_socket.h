#pragma once

#include <chrono>
#include <string>

#include "kong/result.h"

namespace kong::mock {

/// Connects to a plugin server's unix socket, as Kong's cosockets do. The
/// descriptor blocks, and its reads and writes time out by themselves after
/// `timeout`: one recv per answer, where poll + recv would cost a second
/// system call on every call.
Result<int> connect_unix(const std::string& path, std::chrono::milliseconds timeout);

/// Writes all of `bytes`; false with errno set when the peer is gone or the
/// write timed out.
bool send_all(int fd, std::string_view bytes);

}  // namespace kong::mock
