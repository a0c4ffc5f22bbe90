// The plugin server pdk_call_bench drives (see looping_plugin.h).
#include "looping_plugin.h"

int main(int argc, char** argv) {
  return kong::start_server<kong::bench::LoopingPlugin>(argc, argv, "0.1.0", 1);
}
