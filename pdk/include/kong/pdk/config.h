#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/protocol/config_keys.h"
#include "kong/result.h"

/// The JSON mapping of a plugin's config struct, and the Kong schema derived
/// from it. A struct lists its fields once, in a static `fields()`:
///
///     struct Limits { int per_minute = 60; static constexpr auto fields() {
///       return std::tuple{kong::field("per_minute", &Limits::per_minute).between(1, 10000)}; } };
///     struct Config { std::string message = "hi"; Limits limits;
///       static constexpr auto fields() { return std::tuple{
///         kong::field("message", &Config::message),      // JSON name, like a Go json tag
///         kong::field("limits", &Config::limits)}; } };
///
/// Member initializers are the defaults: a field missing from the JSON (or
/// null) keeps its initial value, and the schema announces it as `default`.
/// Members are strings, bool, integers, floating point, std::vector,
/// std::map<std::string, T>, std::optional, nested structs with `fields()`,
/// and nlohmann::json (taken as it is).
namespace kong {

template <class Owner, class T>
struct Field {
  std::string_view name;
  T Owner::*member;
  bool is_required = false;
  std::optional<std::int64_t> lo, hi;

  /// Kong rejects a configuration without this field.
  constexpr Field required() const {
    Field f = *this;
    f.is_required = true;
    return f;
  }
  /// Integer range, inclusive: Kong's `between`.
  constexpr Field between(std::int64_t min, std::int64_t max) const {
    Field f = *this;
    f.lo = min;
    f.hi = max;
    return f;
  }
};

template <class Owner, class T>
constexpr Field<Owner, T> field(std::string_view name, T Owner::*member) {
  return {name, member, false, std::nullopt, std::nullopt};
}

namespace config_detail {

template <class T>
concept Record = requires {
  T::fields();
};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_map : std::false_type {};
template <class T, class C>
struct is_map<std::map<std::string, T, C>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

std::string describe(const nlohmann::json& j);  // "string", "number 3", ...
Error wrong_type(std::string_view path, std::string_view expected, const nlohmann::json& got);
Error out_of_range(std::string_view path, const std::string& lo, const std::string& hi,
                   const nlohmann::json& got);
/// A JSON integer, or an integral number within +-2^53: Kong's cjson writes
/// integers of 1e14 and more with an exponent ("1e+14"), which parses as a
/// float. nullopt for anything else (and for integers beyond int64).
std::optional<std::int64_t> json_integer(const nlohmann::json& j);
/// Whether a JSON number lies in [lo, hi]; true for anything but a number.
bool within(const nlohmann::json& j, std::int64_t lo, std::int64_t hi);

template <class T>
nlohmann::json schema_of();

/// What a record does with a key none of its fields has.
enum class UnknownKeys {
  refuse,  // a plugin configuration: a typo must not pass for a default
  ignore   // Kong's entities: Kong's may have more fields than ours
};

template <class T>
Status read(const nlohmann::json& j, T& out, const std::string& path,
            UnknownKeys unknown = UnknownKeys::refuse);

template <class T>
nlohmann::json write(const T& v) {
  if constexpr (Record<T>) {
    auto obj = nlohmann::json::object();
    std::apply([&](const auto&... f) { ((obj[std::string(f.name)] = write(v.*(f.member))), ...); },
               T::fields());
    return obj;
  } else if constexpr (is_vector<T>::value) {
    auto arr = nlohmann::json::array();
    for (const auto& e : v)
      arr.push_back(write(e));
    return arr;
  } else if constexpr (is_map<T>::value) {
    auto obj = nlohmann::json::object();
    for (const auto& [k, e] : v)
      obj[k] = write(e);
    return obj;
  } else if constexpr (is_optional<T>::value) {
    return v ? write(*v) : nlohmann::json(nullptr);
  } else {
    return nlohmann::json(v);
  }
}

template <class T>
Status read(const nlohmann::json& j, T& out, const std::string& path, UnknownKeys unknown) {
  if constexpr (std::is_same_v<T, nlohmann::json>) {
    out = j;
  } else if constexpr (is_optional<T>::value) {
    if (j.is_null()) {
      out.reset();
    } else {
      typename T::value_type inner{};
      if (auto s = read(j, inner, path, unknown); !s)
        return s;
      out = std::move(inner);
    }
  } else if constexpr (Record<T>) {
    if (!j.is_object())
      return wrong_type(path, "record", j);
    Status status = Ok{};
    std::apply(
        [&](const auto&... f) {
          [[maybe_unused]] auto one = [&](const auto& fld) {  // unused for a struct without fields
            if (!status)
              return;
            const std::string sub = path + "." + std::string(fld.name);
            auto it = j.find(fld.name);
            if (it == j.end() || it->is_null()) {
              if (fld.is_required)
                status = Error{sub + ": required field missing"};
              return;
            }
            status = read(*it, out.*(fld.member), sub, unknown);
            if (status && fld.lo && !within(*it, *fld.lo, *fld.hi)) {
              status = out_of_range(sub, std::to_string(*fld.lo), std::to_string(*fld.hi), *it);
            }
          };
          (one(f), ...);
        },
        T::fields());
    if (status && unknown == UnknownKeys::refuse) {
      for (const auto& item : j.items()) {
        // A name, not a structured binding: clang before 16 cannot capture one.
        const std::string& key = item.key();
        const bool known = std::apply(
            [&](const auto&... f) { return ((key == f.name) || ... || false); }, T::fields());
        // Kong's keys come with every configuration: its bookkeeping at the
        // top, the vault references it resolved in any record.
        const bool kongs = key == protocol::kReferencesKey ||
                           (path == "config" && protocol::is_kong_config_key(key));
        if (!known && !kongs)
          return Error{path + "." + key + ": unknown field"};
      }
    }
    return status;
  } else if constexpr (is_vector<T>::value) {
    out.clear();
    // Lua has one kind of empty table, which cjson may write as {}.
    if (j.is_object() && j.empty())
      return Ok{};
    if (!j.is_array())
      return wrong_type(path, "array", j);
    for (std::size_t i = 0; i < j.size(); ++i) {
      typename T::value_type e{};
      if (auto s = read(j[i], e, path + "[" + std::to_string(i) + "]", unknown); !s)
        return s;
      out.push_back(std::move(e));
    }
  } else if constexpr (is_map<T>::value) {
    out.clear();
    if (j.is_array() && j.empty())
      return Ok{};  // an empty Lua table, as an array
    if (!j.is_object())
      return wrong_type(path, "map", j);
    for (const auto& [k, e] : j.items()) {
      typename T::mapped_type v{};
      if (auto s = read(e, v, path + "." + k, unknown); !s)
        return s;
      out.emplace(k, std::move(v));
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string())
      return wrong_type(path, "string", j);
    out = j.get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean())
      return wrong_type(path, "boolean", j);
    out = j.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    using Limits = std::numeric_limits<T>;
    auto range_error = [&] {
      return out_of_range(path, std::to_string(Limits::min()), std::to_string(Limits::max()), j);
    };
    if (j.is_number_unsigned()) {  // beyond int64 too, for uint64 members
      const auto u = j.get<std::uint64_t>();
      if (u > Limits::max())
        return range_error();
      out = static_cast<T>(u);
      return Ok{};
    }
    const std::optional<std::int64_t> n = json_integer(j);
    if (!n)
      return wrong_type(path, "integer", j);
    if (*n < static_cast<std::int64_t>(Limits::min()) ||
        (*n > 0 && static_cast<std::uint64_t>(*n) > Limits::max())) {
      return range_error();
    }
    out = static_cast<T>(*n);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!j.is_number())
      return wrong_type(path, "number", j);
    out = j.get<T>();
  } else {
    static_assert(sizeof(T) == 0, "unsupported config member type");
  }
  return Ok{};
}

template <class T>
nlohmann::json schema_of() {
  using nlohmann::json;
  if constexpr (is_optional<T>::value) {
    return schema_of<typename T::value_type>();
  } else if constexpr (Record<T>) {
    const T defaults{};
    auto fields = json::array();
    std::apply(
        [&](const auto&... f) {
          [[maybe_unused]] auto one = [&](const auto& fld) {
            using M = std::remove_cvref_t<decltype(defaults.*(fld.member))>;
            json s = schema_of<M>();
            if (fld.is_required)
              s["required"] = true;
            if (fld.lo)
              s["between"] = json::array({*fld.lo, *fld.hi});
            if constexpr (!Record<M> && !is_optional<M>::value && !std::is_same_v<M, json>) {
              // Compared as JSON: members (records in a vector) need no operator==.
              json initial = write(defaults.*(fld.member));
              if (initial != write(M{}))
                s["default"] = std::move(initial);
            }
            fields.push_back(json::object({{std::string(fld.name), std::move(s)}}));
          };
          (one(f), ...);
        },
        T::fields());
    return json{{"type", "record"}, {"fields", std::move(fields)}};
  } else if constexpr (is_vector<T>::value) {
    return json{{"type", "array"}, {"elements", schema_of<typename T::value_type>()}};
  } else if constexpr (is_map<T>::value) {
    return json{{"type", "map"},
                {"keys", {{"type", "string"}}},
                {"values", schema_of<typename T::mapped_type>()}};
  } else if constexpr (std::is_same_v<T, std::string>) {
    return json{{"type", "string"}};
  } else if constexpr (std::is_same_v<T, bool>) {
    return json{{"type", "boolean"}};
  } else if constexpr (std::is_integral_v<T>) {
    return json{{"type", "integer"}};
  } else if constexpr (std::is_floating_point_v<T>) {
    return json{{"type", "number"}};
  } else if constexpr (std::is_same_v<T, json>) {
    // Any JSON value: Kong 3's `json` field type.
    return json{{"type", "json"}};
  } else {
    static_assert(sizeof(T) == 0, "unsupported config member type");
  }
}

}  // namespace config_detail

/// Reads a configuration from JSON into `out` (which holds the defaults),
/// as mock-kong checks it against the schema: errors name the field path
/// and say what was expected, in mock-kong's words
/// ("config.limits.per_minute: expected integer between 1 and 10000, got 0",
/// "config.rejct_status: unknown field"). Kong's keys are not fields: its
/// bookkeeping at the top (route_id, __seq__, __plugin_id, ...,
/// kong/protocol/config_keys.h), "$refs" in any record.
template <class Config>
Status config_from_json(const nlohmann::json& j, Config& out) {
  return config_detail::read(j, out, "config");
}

/// The configuration as JSON, every field present.
template <class Config>
nlohmann::json config_to_json(const Config& c) {
  return config_detail::write(c);
}

/// The `config` record of the Kong schema, derived from the struct.
template <class Config>
nlohmann::json config_schema() {
  return config_detail::schema_of<Config>();
}

}  // namespace kong
