#pragma once

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

 private:
  Channel& channel_;
};

}  // namespace kong
