// kong.ctx.shared: a table per request, shared by every plugin and phase.
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

// Lua tables index by any value; plugins use strings, so other keys are
// stored under their tostring.
std::string key_of(const Value& k) {
  return lua_tostring(k);
}

Value get(KongState& s, const Array& args) {
  auto it = s.ctx_shared.find(key_of(arg(args, 0)));
  return it == s.ctx_shared.end() ? Value{} : it->second;
}

Value set(KongState& s, const Array& args) {
  const Value& v = arg(args, 1);
  if (v.is_nil()) {
    s.ctx_shared.erase(key_of(arg(args, 0)));  // assigning nil removes the key in Lua
  } else {
    s.ctx_shared[key_of(arg(args, 0))] = v;
  }
  return Value{};
}

}  // namespace

void register_ctx(Emulation& e) {
  using enum protocol::MethodId;
  e.add(ctx_shared_get, get);
  e.add(ctx_shared_set, set);
}

}  // namespace kong::mock
