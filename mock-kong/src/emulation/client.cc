// kong.client: the downstream connection, from the case's `client`.
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

Value get_ip(KongState& s, const Array&) {
  return Value(s.client_ip);
}

}  // namespace

void register_client(Emulation& e) {
  using enum protocol::MethodId;
  e.add(client_get_ip, get_ip);
}

}  // namespace kong::mock
