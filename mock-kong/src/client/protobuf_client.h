#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kong/mock/plugin_client.h"

namespace kong_plugin_protocol {
class RpcCall;
class RpcReturn;
}  // namespace kong_plugin_protocol

namespace kong::mock {

class SocketConnection;

/// Kong's side of ProtoBuf:1 (protocol.md §4). Like Kong, it takes a
/// connection from a keep-alive pool for each command and puts it back after
/// the RpcReturn, so a server must serve many commands per connection, one
/// after another. An event runs on its one connection: the server sends each
/// PDK call as a method-name frame and an argument frame, Kong answers with
/// one frame; an empty name frame, then the RpcReturn, end it.
class ProtobufClient final : public PluginClient {
 public:
  struct Options {
    std::string socket_path;
    /// How long one read or write may wait.
    std::chrono::milliseconds timeout{10000};
    /// Idle connections kept for reuse (Kong's cosocket pool holds 256).
    std::size_t pool_size = 256;
  };

  explicit ProtobufClient(Options options);
  ~ProtobufClient() override;
  ProtobufClient(const ProtobufClient&) = delete;
  ProtobufClient& operator=(const ProtobufClient&) = delete;

  /// Puts `socket` in the pool of idle connections.
  void adopt(std::unique_ptr<SocketConnection> socket);

  std::string_view protocol() const override { return "ProtoBuf:1"; }
  Result<std::int64_t> start_instance(const std::string& name, const std::string& config) override;
  Status close_instance(std::int64_t id) override;
  EventEnd run_event(std::int64_t id, Phase phase, const CallHandler& handler) override;

  ConnectionFault last_fault() const override { return last_fault_; }

  /// Connections opened so far (the pool reuses them).
  std::size_t connections_opened() const { return opened_; }

 private:
  struct Connection;
  using Owned = std::unique_ptr<Connection>;
  Result<Owned> take();
  void give_back(Owned c);
  /// Sends one command and reads its RpcReturn, checking the sequence.
  Result<kong_plugin_protocol::RpcReturn> command(kong_plugin_protocol::RpcCall& call,
                                                  std::string_view what);

  Deadline call_deadline() const;

  Options options_;
  ConnectionFault last_fault_ = ConnectionFault::none;
  std::vector<Owned> idle_;
  std::int64_t sequence_ = 0;
  std::size_t opened_ = 0;
};

}  // namespace kong::mock
