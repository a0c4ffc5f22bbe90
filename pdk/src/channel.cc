#include "kong/pdk/channel.h"

namespace kong {

void Channel::throw_phase_error(const protocol::MethodInfo& info, Phase p) {
  throw PdkError(info.name, info.phase_error(to_string(p)));
}

void Channel::throw_bad_result(const protocol::MethodInfo& info, std::string_view expected,
                               const protocol::Value& got) {
  throw PdkError(info.name, "expected " + std::string(expected) + " result, got " +
                                std::string(protocol::type_name(got)) + " " +
                                protocol::to_debug_string(got));
}

}  // namespace kong
