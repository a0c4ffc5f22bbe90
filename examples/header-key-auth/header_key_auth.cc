// header-key-auth's plugin server: Kong starts it with -kong-prefix and queries it with -dump.
#include "header_key_auth.h"

int main(int argc, char** argv) {
  return kong::start_server<header_key_auth::Config>(argc, argv, "0.1.0", 1250);
}
