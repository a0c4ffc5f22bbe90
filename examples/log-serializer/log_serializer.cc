// log-serializer's plugin server: Kong starts it with -kong-prefix and queries it with -dump.
#include "log_serializer.h"

int main(int argc, char** argv) {
  return kong::start_server<log_serializer::Config>(argc, argv, "0.1.0", 5);
}
