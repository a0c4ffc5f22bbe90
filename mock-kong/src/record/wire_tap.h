#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kong/pdk/protocol.h"

#include "record/recording.h"

namespace kong::mock {

/// Reads a copy of what one connection between Kong and a plugin server
/// carries each way, after it was passed on, and tells the recording what
/// it means. One per connection: a MsgPack:1 event's Steps may come over
/// several, which the recording joins by event id.
class WireTap {
 public:
  virtual ~WireTap() = default;
  virtual void from_kong(std::string_view bytes) = 0;
  virtual void from_server(std::string_view bytes) = 0;
  /// The connection closed; `by_server`: the server's side first.
  virtual void closed(bool by_server) = 0;
  /// Why the tap stopped reading this connection (bytes that are not the
  /// protocol's); empty while it reads. The bytes still pass.
  const std::string& broken() const { return broken_; }

 protected:
  std::string broken_;
};

/// The tap for `protocol`.
std::unique_ptr<WireTap> make_wire_tap(Protocol protocol, Recording& recording);

}  // namespace kong::mock
