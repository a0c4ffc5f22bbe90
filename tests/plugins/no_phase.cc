// A plugin whose handler is spelt `Access`: it compiles, but handles no
// phase. Its -dump and mock-kong must say so.
#include "kong/pdk.h"

struct Config {
  static constexpr auto fields() { return std::tuple{}; }

  void Access(kong::Pdk& kong) { kong.response.set_header("x-never", "set"); }
};

int main(int argc, char** argv) {
  return kong::start_server<Config>(argc, argv, "0.1.0", 1);
}
