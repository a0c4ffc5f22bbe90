#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/context/fiber.hpp>

#include "kong/pdk/channel.h"
#include "kong/pdk/plugin.h"

#include "server/stack_pool.h"

namespace kong::server {

/// One phase handler run for one request, on a stackful fiber of its own.
/// The handler runs on the I/O thread, where Kong's messages are read: at
/// each PDK call the fiber hands the call back to the connection that is
/// answering Kong, and the next Step (on whichever connection it arrives)
/// resumes it with Kong's result. No thread hand-off per call.
class Event final : public Channel {
 public:
  Event(std::int64_t id, Phase phase, std::shared_ptr<PluginInstance> instance, StackPool& stacks);
  ~Event() override;

  /// What the handler did when it last stopped, for Kong.
  struct Outcome {
    enum class Kind { call, returned, ended, failed } kind;
    /// call: the PDK call {"Method", "Args"}; ended: the call that ended the
    /// event (kong.response.exit), which Kong answers with no Step.
    protocol::Value call;
    /// failed: why the handler failed.
    std::string error;
  };

  /// Starts the handler, or resumes it with Kong's answer to its last call:
  /// a result, or an error text (StepError). Returns when it calls again or ends.
  Outcome run(protocol::Value result, std::optional<std::string> error = std::nullopt);

  std::int64_t id() const { return id_; }
  Phase phase() const override { return phase_; }
  std::chrono::steady_clock::time_point last_active() const { return last_active_; }

 protected:
  protocol::Value send(const protocol::MethodInfo& info, protocol::Array args) override;

 private:
  void body();

  std::int64_t id_;
  Phase phase_;
  std::shared_ptr<PluginInstance> instance_;
  boost::context::fiber fiber_;   // the handler, while suspended
  boost::context::fiber caller_;  // the I/O loop, while the handler runs
  Outcome outcome_{Outcome::Kind::returned, {}, {}};
  protocol::Value answer_;
  std::optional<std::string> answer_error_;
  bool ended_ = false;  // a call ended the event (kong.response.exit)
  std::chrono::steady_clock::time_point last_active_;
};

}  // namespace kong::server
