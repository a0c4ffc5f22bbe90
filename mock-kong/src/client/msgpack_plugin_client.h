#pragma once

#include "kong/mock/plugin_client.h"

#include "client/msgpack_client.h"

namespace kong::mock {

/// Kong's side of MsgPack:1 events (protocol.md §3): plugin.HandleEvent
/// starts one, the server answers with the handler's PDK calls, and Kong
/// sends each result back with the Step method the table names for it.
class MsgpackPluginClient final : public PluginClient {
 public:
  explicit MsgpackPluginClient(MsgpackClient::Options options) : client_(std::move(options)) {}

  std::string_view protocol() const override { return "MsgPack:1"; }
  Result<std::int64_t> start_instance(const std::string& name, const std::string& config) override;
  Status close_instance(std::int64_t id) override;
  EventEnd run_event(std::int64_t id, Phase phase, const CallHandler& handler) override;

  MsgpackClient& transport() { return client_; }

 private:
  MsgpackClient client_;
};

}  // namespace kong::mock
