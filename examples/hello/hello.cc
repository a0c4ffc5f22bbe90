// hello's plugin server: Kong starts it with -kong-prefix and queries it with -dump.
#include "hello.h"

int main(int argc, char** argv) {
  return kong::start_server<hello::Config>(argc, argv, "0.1.0", 1);
}
