#pragma once

#include <memory>

#include "kong/mock/plugin_client.h"

#include "client/msgpack_client.h"

namespace kong::mock {

/// Kong's side of MsgPack:1 events (protocol.md §3): plugin.HandleEvent
/// starts one, the server answers with the handler's PDK calls, and Kong
/// sends each result back with the Step method the table names for it.
class MsgpackPluginClient final : public PluginClient {
 public:
  /// Over the server's socket.
  explicit MsgpackPluginClient(MsgpackClient::Options options)
      : transport_(std::make_unique<MsgpackClient>(std::move(options))) {}
  /// Over another transport (a server in this process).
  explicit MsgpackPluginClient(std::unique_ptr<MsgpackTransport> transport)
      : transport_(std::move(transport)) {}

  std::string_view protocol() const override { return "MsgPack:1"; }
  Result<std::int64_t> start_instance(const std::string& name, const std::string& config) override;
  Status close_instance(std::int64_t id) override;
  EventEnd run_event(std::int64_t id, Phase phase, const CallHandler& handler) override;
  ConnectionFault last_fault() const override {
    return ill_formed_ ? ConnectionFault::garbled : transport_->last_fault();
  }

 private:
  std::unique_ptr<MsgpackTransport> transport_;
  // The latest answer decoded but was not what the protocol allows there.
  bool ill_formed_ = false;
};

}  // namespace kong::mock
