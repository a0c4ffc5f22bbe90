#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/pdk/config.h"
#include "kong/pdk/pdk.h"
#include "kong/pdk/protocol.h"
#include "kong/result.h"

namespace kong {

/// One configured instance of a plugin: its config and handlers.
class PluginInstance {
 public:
  virtual ~PluginInstance() = default;
  /// Runs the handler of `phase`; the server only calls announced phases.
  virtual void handle(Phase phase, Pdk& kong) = 0;
  /// The configuration, every field present (answered in StartInstance).
  virtual nlohmann::json config() const = 0;
};

/// What the server knows of a plugin type, independent of its C++ type.
struct PluginType {
  std::string version;
  int priority = 0;
  /// Phases with a handler, in request order.
  std::vector<Phase> phases;
  /// The Kong schema's `config` record.
  nlohmann::json config_schema;
  /// A bit per Phase (1 << phase) whose handler is a const member function:
  /// the server may run several of its events at once, on several threads.
  std::uint32_t concurrent_phases = 0;
  /// Makes an instance from Kong's configuration JSON; the error names the field.
  std::function<Result<std::unique_ptr<PluginInstance>>(const nlohmann::json&)> create;
};

/// Settings of the embedded server; the command line can override them.
struct ServerOptions {
  /// A message declaring a larger size is refused and its connection closed.
  std::size_t max_message_bytes = 64u << 20;
  /// Stack of each running handler (virtual memory; pages are used as touched).
  std::size_t handler_stack_bytes = 256u << 10;
  /// The wire protocol Kong is told to speak (in `-dump`) and the server
  /// serves; `-protocol NAME` overrides it.
  Protocol protocol = Protocol::msgpack;
  /// After handling a message, how long the server polls for Kong's next
  /// one before it sleeps: polling costs at most this much CPU per message,
  /// sleeping costs a wake-up, which on virtual machines takes longer and
  /// more CPU than the round trip itself. 0 always sleeps;
  /// `-busy-poll-us N` overrides it.
  std::chrono::microseconds busy_poll{50};
  /// A handler that holds the server's thread longer than this between two
  /// PDK calls (every other request waits meanwhile) is said in the log,
  /// once per phase's handler. 0 never says it; `-stall-ms N` overrides it.
  std::chrono::milliseconds stall_report{20};
  /// Threads that run kong.blocking's work at most: as many calls wait at
  /// once, more queue. Started as work comes, ended after 10 s idle. Also
  /// the most threads that may serve Kong when const handlers block.
  /// `-blocking-threads N` overrides it.
  std::size_t blocking_threads = 64;
  /// Threads that read Kong's messages and run the handlers once a handler
  /// that may run concurrently (a const member, docs/threads.md) is heavy;
  /// until then one does. -1: one per CPU the server may use; 1: one
  /// throughout. `-threads N` overrides it.
  int threads = -1;
  /// Such a handler runs on them, out of the server's lock, while its
  /// events take longer than this on average; `-offload-us N` overrides it.
  std::chrono::microseconds offload_above{100};
  /// On SIGTERM the server refuses new connections and lets the events in
  /// flight finish for this long at most, then exits (a second SIGTERM:
  /// at once). `-grace-ms N` overrides it.
  std::chrono::milliseconds shutdown_grace{10'000};
};

namespace plugin_detail {

// The one list of phase handlers: runs `config`'s handler for `phase` when
// `kong` is given, and tells either way whether the type has one. With a
// const `C`, only const handlers count.
template <class C>
bool run_handler(C& config, Phase phase, Pdk* kong) {
  switch (phase) {
    case Phase::certificate:
      if constexpr (requires { config.certificate(*kong); })
        return !kong || (config.certificate(*kong), true);
      break;
    case Phase::rewrite:
      if constexpr (requires { config.rewrite(*kong); })
        return !kong || (config.rewrite(*kong), true);
      break;
    case Phase::access:
      if constexpr (requires { config.access(*kong); })
        return !kong || (config.access(*kong), true);
      break;
    case Phase::response:
      if constexpr (requires { config.response(*kong); })
        return !kong || (config.response(*kong), true);
      break;
    case Phase::preread:
      if constexpr (requires { config.preread(*kong); })
        return !kong || (config.preread(*kong), true);
      break;
    case Phase::log:
      if constexpr (requires { config.log(*kong); })
        return !kong || (config.log(*kong), true);
      break;
  }
  return false;
}

template <class Config>
class TypedInstance final : public PluginInstance {
 public:
  explicit TypedInstance(Config c) : config_(std::move(c)) {}

  // A const handler is called as such, even beside a non-const overload:
  // the server may run it on several threads at once.
  void handle(Phase phase, Pdk& kong) override {
    if (run_handler(std::as_const(config_), phase, nullptr))
      run_handler(std::as_const(config_), phase, &kong);
    else
      run_handler(config_, phase, &kong);
  }
  nlohmann::json config() const override { return config_to_json(config_); }

 private:
  Config config_;
};

}  // namespace plugin_detail

/// The PluginType of a config struct: handlers found at compile time
/// (`void access(kong::Pdk&)` and so on), schema derived from `fields()`.
template <class Config>
PluginType plugin_type(std::string_view version, int priority) {
  using plugin_detail::run_handler;
  PluginType t;
  t.version = std::string(version);
  t.priority = priority;
  Config probe{};
  for (Phase p : kAllPhases) {
    if (run_handler(probe, p, nullptr))
      t.phases.push_back(p);
    if (run_handler(std::as_const(probe), p, nullptr))
      t.concurrent_phases |= std::uint32_t{1} << static_cast<unsigned>(p);
  }
  t.config_schema = config_schema<Config>();
  t.create = [](const nlohmann::json& j) -> Result<std::unique_ptr<PluginInstance>> {
    Config c{};
    if (auto s = config_from_json(j, c); !s)
      return s.error();
    return std::unique_ptr<PluginInstance>(new plugin_detail::TypedInstance<Config>(std::move(c)));
  };
  return t;
}

/// Runs the plugin server for `type`: handles -dump, -help and -kong-prefix
/// (see `run_plugin_server`'s usage text), then serves until SIGTERM.
/// Returns the process exit status.
int run_plugin_server(int argc, char** argv, const PluginType& type, ServerOptions options = {});

/// The one call of a plugin's main():
///
///     int main(int argc, char** argv) { return kong::start_server<Config>(argc, argv, "1.0.0",
///     10); }
///
/// Options go last, e.g. to serve ProtoBuf:1 (Kong's Go-PDK protocol):
/// `kong::start_server<Config>(argc, argv, "1.0.0", 10, {.protocol = kong::Protocol::protobuf})`.
template <class Config>
int start_server(int argc, char** argv, std::string_view version, int priority,
                 ServerOptions options = {}) {
  return run_plugin_server(argc, argv, plugin_type<Config>(version, priority), std::move(options));
}

}  // namespace kong
