// The C++ counterpart of Kong's go-hello: greets the caller in a header.
#include <string>

#include "kong/pdk.h"

struct Config {
  std::string message;

  static constexpr auto fields() { return std::tuple{kong::field("message", &Config::message)}; }

  void access(kong::Pdk& kong) {
    const std::string host = kong.request.get_header("host").value_or("");
    kong.response.set_header("x-hello-from-cpp", "C++ says " + message + " to " + host);
  }
};

int main(int argc, char** argv) {
  return kong::start_server<Config>(argc, argv, "0.1.0", 1);
}
