#include "kong/pdk/channel.h"

namespace kong {

void Channel::throw_phase_error(const protocol::MethodInfo& info, Phase p) {
  throw PdkError(info.name, info.phase_error(to_string(p)));
}

void Channel::throw_bad_result(const protocol::MethodInfo& info, std::string_view expected,
                               const protocol::Value& got) {
  // "got nil", "got integer 5", "got string \"x\"".
  std::string actual(protocol::type_name(got));
  if (!got.is_nil())
    actual += " " + protocol::to_debug_string(got);
  throw PdkError(info.name, "expected " + std::string(expected) + " result, got " + actual);
}

}  // namespace kong
