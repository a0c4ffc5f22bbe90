// kong.log.*: lines in Kong's error log, kept per case.
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

// Kong converts each argument with tostring and joins them with nothing between.
template <const char* Level>
Value write(KongState& s, const Array& args) {
  std::string message;
  for (const auto& a : args)
    message += lua_tostring(a);
  s.log.push_back({Level, std::move(message), s.phase});
  return Value{};
}

constexpr char kAlert[] = "alert";
constexpr char kCrit[] = "crit";
constexpr char kErr[] = "err";
constexpr char kWarn[] = "warn";
constexpr char kNotice[] = "notice";
constexpr char kInfo[] = "info";
constexpr char kDebug[] = "debug";

}  // namespace

void register_log(Emulation& e) {
  using enum protocol::MethodId;
  e.add(log_alert, write<kAlert>);
  e.add(log_crit, write<kCrit>);
  e.add(log_err, write<kErr>);
  e.add(log_warn, write<kWarn>);
  e.add(log_notice, write<kNotice>);
  e.add(log_info, write<kInfo>);
  e.add(log_debug, write<kDebug>);
}

}  // namespace kong::mock
