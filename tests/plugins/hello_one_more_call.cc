// hello, making one PDK call more than it does: a recording of hello must
// not replay strictly against it.
#include "hello.h"

namespace {

struct Config : hello::Config {
  void access(kong::Pdk& kong) {
    hello::Config::access(kong);
    kong.log.info("one call more");
  }
};

}  // namespace

int main(int argc, char** argv) {
  return kong::start_server<Config>(argc, argv, "0.1.0", 1);
}
