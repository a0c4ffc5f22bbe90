// kong.log.*: lines in Kong's error log, kept per case.
#include <fmt/format.h>

#include "emulation/emulation.h"
#include "emulation/serialize.h"

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

// kong.deprecation.raise over Penlight's raise_deprecation: the arguments
// joined with table.concat (strings and numbers only); a trailing table gives
// the versions. Written at warn level; a requested traceback is left out.
Value deprecation(KongState& s, const Array& args) {
  if (args.empty())
    throw LuaError{"bad argument #1 to 'select' (index out of range)"};
  const Value& last = args.back();
  const bool has_meta = lua_type(last) == "table";
  const std::size_t n = has_meta ? args.size() - 1 : args.size();
  std::string message;
  for (std::size_t i = 0; i < n; ++i) {
    if (!args[i].is_text() && !args[i].is_number()) {
      throw LuaError{fmt::format("invalid value (at index {}) in table for 'concat'", i + 1)};
    }
    message += lua_tostring(args[i]);
  }
  const Value* after = has_meta ? last.find("after") : nullptr;
  const Value* removal = has_meta ? last.find("removal") : nullptr;
  if (after && removal) {
    message += fmt::format(" (deprecated after {}, scheduled for removal in {})",
                           lua_tostring(*after), lua_tostring(*removal));
  } else if (after) {
    message += fmt::format(" (deprecated after {})", lua_tostring(*after));
  } else if (removal) {
    message += fmt::format(" (scheduled for removal in {})", lua_tostring(*removal));
  }
  s.log.push_back({"warn", std::move(message), s.phase});
  return Value{};
}

Value set_serialize_value(KongState& s, const Array& args) {
  const Value& key = arg(args, 0);
  const Value& options = arg(args, 2);
  // `options.mode`: a string indexes to nil, a number or boolean cannot be indexed.
  if (options.is_number() || options.is_bool()) {
    throw LuaError{fmt::format("attempt to index local 'options' (a {} value)", lua_type(options))};
  }
  const Value* mode_value = options.is_map() ? options.find("mode") : nullptr;
  const Value mode = mode_value && !mode_value->is_nil() ? *mode_value : Value("set");
  if (!key.is_text())
    throw LuaError{"key must be a string"};
  if (mode != Value("set") && mode != Value("add") && mode != Value("replace"))
    throw LuaError{"mode must be 'set', 'add' or 'replace'"};
  // In the log handler Kong's snapshot of serialize() is taken already.
  s.serialize_edits.push_back(
      {std::string(key.text()), arg(args, 1), std::string(mode.text()), s.phase == Phase::log});
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
  e.add(log_deprecation, deprecation);
  e.add(log_set_serialize_value, set_serialize_value);
  e.add(log_serialize, serialize);
}

}  // namespace kong::mock
