#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kong/result.h"

namespace kong::mock {
class SocketConnection;
}

namespace kong::bench {

/// Kong's side of a plugin.Step reduced to what the socket floor does: a
/// pre-encoded request written, the answer read with blocking reads into a
/// buffer of its known size, not decoded. For a server whose answer to each
/// Step has the same size (bench_plugin's next get_header call).
class RawStepClient {
 public:
  RawStepClient() = default;
  ~RawStepClient();
  RawStepClient(const RawStepClient&) = delete;
  RawStepClient& operator=(const RawStepClient&) = delete;

  /// Connects and steps `event_id` once (Data "example.com") through a
  /// decoder, which skips the serverPid notification and learns the
  /// answer's size. The error says what the server did instead.
  Status open(const std::string& socket_path, std::int64_t event_id);

  /// Steps the event again; false when the write fails or the answer does
  /// not start as an answer [1, ...] would.
  bool round_trip();

 private:
  bool send();

  std::unique_ptr<mock::SocketConnection> socket_;
  int fd_ = -1;
  std::string request_;
  std::vector<char> answer_;
};

}  // namespace kong::bench
