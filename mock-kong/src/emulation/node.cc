// kong.node: this node's id, host name and memory figures (kong/pdk/node.lua).
#include <cmath>

#include <fmt/format.h>

#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

constexpr std::int64_t kMiB = 1024 * 1024;

// The lua_shared_dicts of Kong's nginx template with their default sizes
// (mem_cache_size 128m), and what a freshly started node has allocated.
struct Shm {
  const char* name;
  std::int64_t capacity;
  std::int64_t allocated;
};
constexpr Shm kShms[] = {
    {"kong", 5 * kMiB, 40960},
    {"kong_locks", 8 * kMiB, 12288},
    {"kong_healthchecks", 5 * kMiB, 12288},
    {"kong_cluster_events", 5 * kMiB, 12288},
    {"kong_rate_limiting_counters", 12 * kMiB, 12288},
    {"kong_core_db_cache", 128 * kMiB, 811008},
    {"kong_core_db_cache_miss", 12 * kMiB, 94208},
    {"kong_db_cache", 128 * kMiB, 45056},
    {"kong_db_cache_miss", 12 * kMiB, 12288},
    {"kong_secrets", 5 * kMiB, 12288},
};

// Two workers, their Lua VM sizes as each reports them (KiB, turned to bytes).
struct Worker {
  std::int64_t pid;
  std::int64_t kib;
};
constexpr Worker kWorkers[] = {{18004, 52361}, {18005, 51873}};

// kong.tools.string.bytes_to_str, which get_memory_stats calls once on 0 to
// check its arguments before reporting anything.
std::string bytes_to_str(double bytes, const std::string& unit, const Value& scale_arg) {
  if (lower(unit) == "b")
    return fmt::format("{}", static_cast<std::int64_t>(bytes));
  const double scale = scale_arg.is_nil() ? 2 : scale_arg.is_number() ? scale_arg.as_double() : -1;
  if (scale < 0)
    throw LuaError{"scale must be equal or greater than 0"};
  const auto digits = static_cast<int>(scale);
  const std::string u = lower(unit);
  if (u == "k")
    return fmt::format("{:.{}f} KiB", bytes / 1024, digits);
  if (u == "m")
    return fmt::format("{:.{}f} MiB", bytes / (1024.0 * 1024), digits);
  if (u == "g")
    return fmt::format("{:.{}f} GiB", bytes / (1024.0 * 1024 * 1024), digits);
  throw LuaError{fmt::format("invalid unit '{}' (expected 'k/K', 'm/M', or 'g/G')", unit)};
}

Value get_id(KongState& s, const Array&) {
  return Value(s.kong->node_id);
}

Value get_hostname(KongState& s, const Array&) {
  return Value(s.kong->node_hostname);
}

Value get_memory_stats(KongState&, const Array& args) {
  const Value& unit_arg = arg(args, 0);
  const Value& scale = arg(args, 1);
  // Lua's string.lower takes numbers too (as text); other types it refuses.
  if (!unit_arg.is_nil() && !unit_arg.is_text() && !unit_arg.is_number()) {
    throw LuaError{
        fmt::format("bad argument #1 to 'lower' (string expected, got {})", lua_type(unit_arg))};
  }
  const std::string unit = unit_arg.is_nil() ? "b" : lua_tostring(unit_arg);
  bytes_to_str(0, unit, scale);
  auto convert = [&](std::int64_t bytes) {
    return lower(unit) == "b" ? Value(bytes)
                              : Value(bytes_to_str(static_cast<double>(bytes), unit, scale));
  };

  Array workers;
  for (const auto& w : kWorkers) {
    Map m;
    m.emplace_back(Value("pid"), Value(w.pid));
    m.emplace_back(Value("http_allocated_gc"), convert(w.kib * 1024));
    workers.emplace_back(std::move(m));
  }
  Map dicts;
  for (const auto& shm : kShms) {
    Map m;
    m.emplace_back(Value("capacity"), convert(shm.capacity));
    m.emplace_back(Value("allocated_slabs"), convert(shm.allocated));
    dicts.emplace_back(Value(shm.name), Value(std::move(m)));
  }
  Map out;
  out.emplace_back(Value("workers_lua_vms"), Value(std::move(workers)));
  out.emplace_back(Value("lua_shared_dicts"), Value(std::move(dicts)));
  return Value(std::move(out));
}

}  // namespace

void register_node(Emulation& e) {
  using enum protocol::MethodId;
  e.add(node_get_id, get_id);
  e.add(node_get_hostname, get_hostname);
  e.add(node_get_memory_stats, get_memory_stats);
}

}  // namespace kong::mock
