// The C++ counterpart of Kong's go-hello: greets the caller in a header.
#pragma once

#include <string>

#include "kong/pdk.h"

namespace hello {

struct Config {
  std::string message;

  static constexpr auto fields() { return std::tuple{kong::field("message", &Config::message)}; }

  void access(kong::Pdk& kong) {
    const std::string host = kong.request.get_header("host").value_or("");
    kong.response.set_header("x-hello-from-cpp", "C++ says " + message + " to " + host);
  }
};

}  // namespace hello
