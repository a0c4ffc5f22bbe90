#include "in_process_server.h"

#include <chrono>

#include <fmt/format.h>

#include "kong/protocol/msgpack_codec.h"

#include "client/msgpack_plugin_client.h"
#include "server/blocking_pool.h"
#include "server/event_driver.h"
#include "server/event_loop.h"
#include "server/plugin_info.h"
#include "server/rpc_dispatcher.h"

namespace kong::testing {
namespace {

using protocol::Value;

// A value as the other side decodes it.
Result<Value> through_the_wire(const Value& v, protocol::StrForm form) {
  std::string bytes;
  protocol::msgpack_encode(v, bytes, form);
  return protocol::msgpack_decode(bytes);
}

// The plugin server's MsgPack:1 side, without its socket.
class InProcessTransport final : public mock::MsgpackTransport, private server::ReplyTo {
 public:
  InProcessTransport(std::string name, PluginType type)
      : type_(std::move(type)),
        stacks_(ServerOptions{}.handler_stack_bytes),
        instances_(std::move(name), type_),
        blocking_(ServerOptions{}.blocking_threads, std::chrono::seconds(1)),
        driver_(loop_, blocking_, stacks_),
        dispatcher_(instances_, driver_) {}

  Result<Answer> call(protocol::rpc::Command command, protocol::Array params) override {
    const std::string_view method = protocol::rpc::command_name(command);
    // Kong writes strings as lua-MessagePack does; the server, compactly.
    auto sent = through_the_wire(Value(std::move(params)), protocol::StrForm::kong);
    if (!sent)
      return Error{fmt::format("{}: {}", method, sent.error().message)};
    // Cases run one after another here: an event still waiting when the next
    // starts was abandoned by Kong (a PDK call failed), and is unwound now
    // rather than after the server's idle limit.
    if (command == protocol::rpc::Command::handle_event)
      dispatcher_.expire_events(std::chrono::seconds(0));
    server::Reply reply = dispatch(command, std::move(sent->as_array()));
    auto received = through_the_wire(reply.result, protocol::StrForm::compact);
    if (!received)
      return Error{fmt::format("{}: undecodable answer: {}", method, received.error().message)};
    Answer answer;
    answer.result = std::move(received).value();
    if (!reply.error.empty())
      answer.error = std::move(reply.error);
    return answer;
  }

 private:
  // The reply, which comes later when the handler waits in kong.blocking:
  // the loop runs until it does, as the server's would.
  server::Reply dispatch(protocol::rpc::Command command, protocol::Array params) {
    if (auto at_once = dispatcher_.dispatch(command, std::move(params), *this))
      return std::move(*at_once);
    loop_.run([] {});
    return std::move(later_);
  }

  void deliver(server::Reply reply) override {
    later_ = std::move(reply);
    loop_.stop();
  }

  PluginType type_;  // Instances keeps a reference
  server::StackPool stacks_;
  server::Instances instances_;
  server::EventLoop loop_;
  server::BlockingPool blocking_;
  server::EventDriver driver_;
  server::RpcDispatcher dispatcher_;
  server::Reply later_;
};

}  // namespace

std::unique_ptr<mock::PluginSession> in_process_session(const std::string& name,
                                                        const PluginType& type) {
  // The plugin info as its -dump would print it, read as mock-kong reads a dump.
  const auto dump = server::plugin_info(name, type, Protocol::msgpack, "").dump();
  auto info = mock::parse_plugin_info(dump);
  if (!info)
    throw std::logic_error("the plugin's own dump does not parse: " + info.error().message);
  return mock::PluginSession::attach(std::move(info).value(),
                                     std::make_unique<mock::MsgpackPluginClient>(
                                         std::make_unique<InProcessTransport>(name, type)));
}

}  // namespace kong::testing
