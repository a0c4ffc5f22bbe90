// The first of a chain of plugins from three PDKs (tests/chain/): priority
// 1000, so Kong runs it before the others. It hands "cpp" to the plugins
// after it in kong.ctx.shared, marks the service request, and ends the
// request with a 403 when it carries X-Stop, which skips the others' access
// handlers (Kong's delayed_response) but not their log handlers.
#include "kong/pdk.h"

namespace {

struct Config {
  static constexpr auto fields() { return std::tuple{}; }

  void access(kong::Pdk& kong) {
    kong.ctx.shared.set("handoff", "cpp");
    kong.service.request.set_header("x-chain", "cpp");
    if (kong.request.get_header("x-stop"))
      kong.response.exit(403, "stopped by cpp-chain");
  }

  void log(kong::Pdk& kong) { kong.log.info("cpp-chain logs"); }
};

}  // namespace

int main(int argc, char** argv) {
  return kong::start_server<Config>(argc, argv, "0.1.0", 1000);
}
