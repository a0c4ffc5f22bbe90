#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.ctx.shared: a per-request table shared by all plugins of a request.
class SharedCtx {
 public:
  explicit SharedCtx(Channel& channel) : channel_(channel) {}

  /// The value stored under `key`; null when nothing is. Any phase.
  nlohmann::json get(std::string_view key) {
    return channel_.call(protocol::methods::ctx_shared_get, key);
  }
  /// Stores `value` under `key` for later phases and plugins. Any phase.
  void set(std::string_view key, const nlohmann::json& value) {
    channel_.call(protocol::methods::ctx_shared_set, key, value);
  }

 private:
  Channel& channel_;
};

/// kong.ctx.
class Ctx {
 public:
  explicit Ctx(Channel& channel) : shared(channel) {}
  SharedCtx shared;
};

}  // namespace kong
