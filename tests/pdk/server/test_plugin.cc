// The plugin server the socket tests run: TestPlugin behind kong::start_server.
#include "pdk/server/test_plugin.h"

#include "kong/pdk.h"

int main(int argc, char** argv) {
  return kong::start_server<kong::test::TestPlugin>(argc, argv, "1.2.3", 7);
}
