#include "kong/mock/config_schema.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json_schema.h"

namespace kong::mock {
namespace {

using nlohmann::json;

// A problem in the configuration: "config.message: expected string, got number 3".
using Problem = std::optional<std::string>;

// A problem in the dumped schema itself; reported apart, since the plugin
// server is at fault and no configuration could pass.
struct SchemaProblem {
  std::string message;
};

std::string quoted_list(const json& values) {
  std::string out;
  for (const auto& value : values) {
    if (!out.empty())
      out += ", ";
    out += brief_dump(value);
  }
  return out;
}

bool is_integral(const json& v) {
  if (v.is_number_integer())
    return true;
  if (!v.is_number_float())
    return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::trunc(d) == d;
}

// Kong's length validators count bytes of a string, elements of an array or
// set and entries of a map.
std::string length_words(const json& v, std::size_t n) {
  const std::string noun = v.is_string() ? "byte" : v.is_object() ? "entry" : "element";
  if (n == 1)
    return "1 " + noun;
  return std::to_string(n) + " " + (v.is_object() ? "entries" : noun + "s");
}

std::size_t length_of(const json& v) {
  return v.is_string() ? v.get_ref<const std::string&>().size() : v.size();
}

class ConfigChecker {
 public:
  // Checks `v` against the field definition `field`, in place: defaults are
  // filled into nested records, integral floats become integers.
  Problem value(const json& field, json& v, const std::string& path) const {
    if (!field.is_object() || !field.contains("type") || !field["type"].is_string()) {
      throw SchemaProblem{path + ": field definition without a \"type\""};
    }
    const std::string& type = field["type"].get_ref<const std::string&>();
    if (auto p = check_type(field, type, v, path))
      return p;
    return check_validators(field, type, v, path);
  }

  // Checks a record's fields (`fields` is its list of {name: definition}).
  Problem record(const json& fields, json& object, const std::string& path) const {
    if (!fields.is_array())
      throw SchemaProblem{path + ": record without \"fields\""};
    for (auto it = object.begin(); it != object.end(); ++it) {
      // Kong stores its own bookkeeping in the config ("__seq__", "__key__",
      // "__plugin_id") and hands it to the plugin as it is.
      if (it.key().starts_with("__"))
        continue;
      if (find_field(fields, it.key()) == nullptr) {
        return path_with_key(path, it.key()) + ": unknown field";
      }
    }
    for (const auto& entry : fields) {
      if (!entry.is_object() || entry.size() != 1) {
        throw SchemaProblem{path + ": a record field must be an object with a single key"};
      }
      const std::string& name = entry.begin().key();
      const json& field = entry.begin().value();
      const std::string sub = path_with_key(path, name);
      const auto it = object.find(name);
      const bool given = it != object.end() && !it->is_null();
      if (!given) {
        if (auto p = fill_missing(field, object, name, sub))
          return p;
        if (!object.contains(name) || object[name].is_null())
          continue;
      }
      if (auto p = value(field, object[name], sub))
        return p;
    }
    return std::nullopt;
  }

 private:
  static const json* find_field(const json& fields, const std::string& name) {
    for (const auto& entry : fields) {
      if (entry.is_object() && entry.contains(name))
        return &entry[name];
    }
    return nullptr;
  }

  // Kong's rule for an absent (or null) field: its default if it has one; a
  // record is expanded to collect its nested defaults, because Kong makes
  // records of entities required unless they say `required: false`; another
  // required field is an error; anything else stays as it is.
  static Problem fill_missing(const json& field, json& object, const std::string& name,
                              const std::string& path) {
    if (const auto it = field.find("default"); it != field.end() && !it->is_null()) {
      object[name] = *it;
      return std::nullopt;
    }
    const bool record = field.value("type", json()) == "record";
    const bool required = field.value("required", json(record)) == true;
    if (record && required) {
      object[name] = json::object();
      return std::nullopt;
    }
    if (required)
      return path + ": required field missing";
    return std::nullopt;
  }

  static Problem wrong_type(std::string_view expected, const json& v, const std::string& path) {
    return path + ": expected " + std::string(expected) + ", got " + describe_value(v);
  }

  Problem check_type(const json& field, const std::string& type, json& v,
                     const std::string& path) const {
    if (type == "string")
      return v.is_string() ? Problem() : wrong_type("string", v, path);
    if (type == "boolean")
      return v.is_boolean() ? Problem() : wrong_type("boolean", v, path);
    if (type == "number")
      return v.is_number() ? Problem() : wrong_type("number", v, path);
    if (type == "json")
      return std::nullopt;
    if (type == "integer") {
      if (!is_integral(v))
        return wrong_type("integer", v, path);
      // Lua has one number type, so Kong takes 3.0 for 3; the plugin gets 3.
      if (v.is_number_float())
        v = static_cast<std::int64_t>(v.get<double>());
      return std::nullopt;
    }
    if (type == "array" || type == "set") {
      if (!v.is_array())
        return wrong_type("array", v, path);
      const json& elements = sub_definition(field, "elements", path);
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (auto p = value(elements, v[i], path_with_index(path, i)))
          return p;
      }
      return std::nullopt;
    }
    if (type == "map") {
      if (!v.is_object())
        return wrong_type("object", v, path);
      const json& keys = sub_definition(field, "keys", path);
      const json& values = sub_definition(field, "values", path);
      for (auto it = v.begin(); it != v.end(); ++it) {
        json key = it.key();
        if (auto p = value(keys, key, path + ": key " + brief_dump(key)))
          return p;
        if (auto p = value(values, it.value(), path_with_key(path, it.key())))
          return p;
      }
      return std::nullopt;
    }
    if (type == "record") {
      if (!v.is_object())
        return wrong_type("object", v, path);
      return record(sub_definition(field, "fields", path), v, path);
    }
    throw SchemaProblem{path + ": unsupported field type " + brief_dump(field["type"])};
  }

  static const json& sub_definition(const json& field, const char* key, const std::string& path) {
    const auto it = field.find(key);
    if (it == field.end()) {
      throw SchemaProblem{path + ": " + field["type"].get<std::string>() + " field without \"" +
                          key + "\""};
    }
    return *it;
  }

  // Kong's one_of, between, len_min and len_max; its other validators (match,
  // starts_with, custom checks...) are not mirrored.
  static Problem check_validators(const json& field, const std::string& type, const json& v,
                                  const std::string& path) {
    if (const auto it = field.find("one_of"); it != field.end() && it->is_array()) {
      bool found = false;
      for (const auto& option : *it)
        found = found || option == v;
      if (!found) {
        return path + ": expected one of " + quoted_list(*it) + ", got " + brief_dump(v);
      }
    }
    if (const auto it = field.find("between"); it != field.end() && v.is_number()) {
      if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number() || !(*it)[1].is_number()) {
        throw SchemaProblem{path + ": \"between\" must be [low, high]"};
      }
      const double d = v.get<double>();
      if (d < (*it)[0].get<double>() || d > (*it)[1].get<double>()) {
        return path + ": expected " + type + " between " + (*it)[0].dump() + " and " +
               (*it)[1].dump() + ", got " + v.dump();
      }
    }
    if (!v.is_string() && !v.is_array() && !v.is_object())
      return std::nullopt;
    const std::size_t length = length_of(v);
    if (const auto it = field.find("len_min"); it != field.end() && it->is_number_integer()) {
      if (static_cast<std::int64_t>(length) < it->get<std::int64_t>()) {
        return path + ": expected at least " + length_words(v, it->get<std::size_t>()) + ", got " +
               std::to_string(length);
      }
    }
    if (const auto it = field.find("len_max"); it != field.end() && it->is_number_integer()) {
      if (static_cast<std::int64_t>(length) > it->get<std::int64_t>()) {
        return path + ": expected at most " + length_words(v, it->get<std::size_t>()) + ", got " +
               std::to_string(length);
      }
    }
    return std::nullopt;
  }
};

// The `config` field of the plugin's entity schema:
// {"name": ..., "fields": [{"protocols": ...}, {"config": {"type": "record", ...}}]}.
const json* config_field(const json& kong_schema) {
  if (!kong_schema.is_object() || !kong_schema.contains("fields") ||
      !kong_schema["fields"].is_array()) {
    return nullptr;
  }
  for (const auto& entry : kong_schema["fields"]) {
    if (entry.is_object() && entry.contains("config"))
      return &entry["config"];
  }
  return nullptr;
}

}  // namespace

Result<nlohmann::json> validate_config(const nlohmann::json& config,
                                       const nlohmann::json& kong_schema,
                                       const std::string& where) {
  const std::string prefix = where.empty() ? "" : where + ": ";
  const json* field = config_field(kong_schema);
  if (field == nullptr)
    return Error{prefix + "plugin schema: no \"config\" field in \"fields\""};
  json out = config.is_null() ? json::object() : config;
  try {
    const ConfigChecker checker;
    if (auto p = checker.value(*field, out, "config"))
      return Error{prefix + *p};
    return out;
  } catch (const SchemaProblem& e) {
    return Error{prefix + "plugin schema: " + e.message};
  } catch (const nlohmann::json::exception& e) {
    // A schema attribute of the wrong JSON type, such as "len_min": "3".
    return Error{prefix + "plugin schema: " + e.what()};
  }
}

}  // namespace kong::mock
