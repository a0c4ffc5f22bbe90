#pragma once

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "kong/pdk/channel.h"
#include "kong/pdk/client.h"
#include "kong/pdk/cluster.h"
#include "kong/pdk/ctx.h"
#include "kong/pdk/ip.h"
#include "kong/pdk/log.h"
#include "kong/pdk/nginx.h"
#include "kong/pdk/node.h"
#include "kong/pdk/plugin_api.h"
#include "kong/pdk/request.h"
#include "kong/pdk/response.h"
#include "kong/pdk/router.h"
#include "kong/pdk/service.h"
#include "kong/pdk/telemetry.h"
#include "kong/pdk/vault.h"

namespace kong {

/// What a phase handler gets: Kong's PDK, laid out as in Lua, so that
/// `kong.request.get_header("host")` reads the same in C++. docs/pdk.md lists
/// every function with its phases.
class Pdk {
 public:
  explicit Pdk(Channel& channel)
      : client(channel),
        cluster(channel),
        ctx(channel),
        ip(channel),
        log(channel),
        nginx(channel),
        node(channel),
        plugin(channel),
        request(channel),
        response(channel),
        router(channel),
        service(channel),
        telemetry(channel),
        vault(channel),
        channel_(channel) {}

  Client client;
  Cluster cluster;
  Ctx ctx;
  Ip ip;
  Log log;
  Nginx nginx;
  Node node;
  PluginApi plugin;
  Request request;
  Response response;
  Router router;
  Service service;
  Telemetry telemetry;
  Vault vault;

  /// The phase whose handler is running.
  Phase phase() const { return channel_.phase(); }

  /// Runs `work()`, which may block (an HTTP call, a database query, a file
  /// write), off the server's thread, and returns what it returned or throws
  /// what it threw. Meanwhile this handler waits and the server goes on
  /// serving every other event, as a Go handler's goroutine would. `work`
  /// must not call the PDK (the call throws PdkError): read what it needs
  /// before, act on its result after. It runs on another thread, so what it
  /// shares with other events needs the usual locks (docs/threads.md).
  ///
  ///     auto user = kong.blocking([&] { return directory.lookup(key); });
  template <class Work>
  std::invoke_result_t<Work&> blocking(Work&& work) {
    using R = std::invoke_result_t<Work&>;
    std::exception_ptr failure;
    if constexpr (std::is_void_v<R>) {
      channel_.run_blocking([&] {
        try {
          work();
        } catch (...) {
          failure = std::current_exception();
        }
      });
      if (failure)
        std::rethrow_exception(failure);
    } else {
      std::optional<R> result;
      channel_.run_blocking([&] {
        try {
          result.emplace(work());
        } catch (...) {
          failure = std::current_exception();
        }
      });
      if (failure)
        std::rethrow_exception(failure);
      return std::move(*result);
    }
  }

 private:
  Channel& channel_;
};

}  // namespace kong
