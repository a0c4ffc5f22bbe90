// Serves the example key service for a replay by hand:
//   key-service 8089 &
//   mock-kong --replay examples/http-lookup/fixtures/http-lookup.json ./http-lookup
#include "key_service.h"

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 8089;
  if (port <= 0 || port > 65535) {
    std::fprintf(stderr, "usage: key-service [PORT]   (default 8089)\n");
    return 2;
  }
  http_lookup::KeyService service(http_lookup::example_owners());
  std::fprintf(stderr, "key-service: serving on http://127.0.0.1:%d\n", port);
  if (!service.serve(port)) {
    std::fprintf(stderr, "key-service: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  return 0;
}
