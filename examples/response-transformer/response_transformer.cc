// response-transformer's plugin server: Kong starts it with -kong-prefix and queries it with -dump.
#include "response_transformer.h"

int main(int argc, char** argv) {
  return kong::start_server<response_transformer::Config>(argc, argv, "0.1.0", 800);
}
