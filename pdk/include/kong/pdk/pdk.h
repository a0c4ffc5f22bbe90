#pragma once

#include "kong/pdk/channel.h"
#include "kong/pdk/client.h"
#include "kong/pdk/ctx.h"
#include "kong/pdk/log.h"
#include "kong/pdk/request.h"
#include "kong/pdk/response.h"
#include "kong/pdk/service.h"

namespace kong {

/// What a phase handler gets: Kong's PDK, laid out as in Lua, so that
/// `kong.request.get_header("host")` reads the same in C++.
class Pdk {
 public:
  explicit Pdk(Channel& channel)
      : client(channel),
        ctx(channel),
        log(channel),
        request(channel),
        response(channel),
        service(channel),
        channel_(channel) {}

  Client client;
  Ctx ctx;
  Log log;
  Request request;
  Response response;
  Service service;

  /// The phase whose handler is running.
  Phase phase() const { return channel_.phase(); }

 private:
  Channel& channel_;
};

}  // namespace kong
