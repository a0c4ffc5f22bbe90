// The plugin server's own work per PDK call with no socket and no other
// process: split Kong's plugin.Step out of the byte stream and decode it,
// resume the handler, take its next call, encode the answer. What the server
// spends per call in pdk_call_bench beyond this is the kernel's, and caches
// gone cold while the other process ran.
#include <cstdint>
#include <cstring>
#include <string>

#include <benchmark/benchmark.h>

#include "kong/pdk/plugin.h"
#include "kong/protocol/msgpack_stream.h"
#include "kong/protocol/rpc_message.h"

#include "looping_plugin.h"
#include "server/event_driver.h"
#include "server/rpc_dispatcher.h"

namespace kong::bench {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

// Starts an instance of LoopingPlugin and its access event; returns the
// event id, or 0 with the error in `error`.
// Where a reply that came later would go: LoopingPlugin's never do.
class NoLaterReply final : public server::ReplyTo {
 public:
  void deliver(server::Reply) override {}
};

std::int64_t start_event(server::RpcDispatcher& dispatcher, std::string& error) {
  NoLaterReply no_later;
  Map instance;
  instance.emplace_back(Value("Name"), Value("bench_plugin"));
  instance.emplace_back(Value("Config"), Value("{}"));
  server::Reply started = *dispatcher.dispatch(protocol::rpc::Command::start_instance,
                                               Array{Value(instance)}, no_later);
  if (!started.error.empty()) {
    error = started.error;
    return 0;
  }
  Map event;
  event.emplace_back(Value("InstanceId"), *started.result.find("Id"));
  event.emplace_back(Value("EventName"), Value("access"));
  server::Reply handled =
      *dispatcher.dispatch(protocol::rpc::Command::handle_event, Array{Value(event)}, no_later);
  if (!handled.error.empty()) {
    error = handled.error;
    return 0;
  }
  return handled.result.find("EventId")->as_int();
}

void BM_ServerStepInProcess(benchmark::State& state) {
  const PluginType type = plugin_type<LoopingPlugin>("0.1.0", 1);
  server::StackPool stacks(ServerOptions{}.handler_stack_bytes);
  server::Instances instances("bench_plugin", type);
  server::EventLoop loop;
  server::BlockingPool blocking(1, std::chrono::seconds(1));
  server::EventDriver driver(loop, blocking, stacks);
  server::RpcDispatcher dispatcher(instances, driver);
  NoLaterReply no_later;
  std::string error;
  const std::int64_t event_id = start_event(dispatcher, error);
  if (event_id == 0) {
    state.SkipWithError(error.c_str());
    return;
  }
  Map step;
  step.emplace_back(Value("EventId"), Value(event_id));
  step.emplace_back(Value("Data"), Value("example.com"));
  std::string request;
  protocol::rpc::encode(
      protocol::rpc::request(1, protocol::rpc::Command::step, Array{Value(std::move(step))}),
      request, protocol::StrForm::kong);

  protocol::MsgpackStream in;
  std::string out;
  for (auto _ : state) {
    // What MsgpackConnection does between a read and a write.
    auto space = in.prepare();
    std::memcpy(space.data(), request.data(), request.size());
    in.commit(request.size());
    Value message;
    if (in.next(message, error) != protocol::MsgpackStream::Status::value) {
      state.SkipWithError("the request did not decode");
      break;
    }
    auto parsed = protocol::rpc::parse_request(std::move(message));
    if (!parsed) {
      state.SkipWithError(parsed.error().message.c_str());
      break;
    }
    auto dispatched =
        dispatcher.dispatch(parsed->method, std::move(parsed->params.as_array()), no_later);
    if (!dispatched) {
      state.SkipWithError("the reply did not come at once");
      break;
    }
    server::Reply& reply = *dispatched;
    if (!reply.error.empty()) {
      state.SkipWithError(reply.error.c_str());
      break;
    }
    // [1, msgid, error, result], as MsgpackConnection::answer writes it.
    out.clear();
    protocol::rpc::encode(protocol::rpc::Response{parsed->msgid, Value{}, std::move(reply.result)},
                          out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ServerStepInProcess)->Name("ServerStepInProcess");

}  // namespace
}  // namespace kong::bench

BENCHMARK_MAIN();
