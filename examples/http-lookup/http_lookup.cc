// http-lookup's plugin server: Kong starts it with -kong-prefix and queries it with -dump.
#include "http_lookup.h"

int main(int argc, char** argv) {
  return kong::start_server<http_lookup::Config>(argc, argv, "0.1.0", 1200);
}
