// TestPlugin again, choosing ProtoBuf:1 in code as a plugin author would.
#include "kong/pdk.h"

#include "pdk/server/test_plugin.h"

int main(int argc, char** argv) {
  return kong::start_server<kong::test::TestPlugin>(argc, argv, "1.2.3", 7,
                                                    {.protocol = kong::Protocol::protobuf});
}
