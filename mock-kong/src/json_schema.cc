#include "json_schema.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kong::mock {
namespace {

using nlohmann::json;

// A problem in the instance, kept apart from its path so that oneOf/anyOf can
// pick the alternative that explains a value best before the two are joined.
struct Failure {
  std::string path;
  std::string problem;
};

// The schema asks for more than this subset implements: a bug in the schema,
// not in the document, so it ends the whole check.
struct SchemaError {
  std::string path;
  std::string problem;
};

const std::set<std::string, std::less<>> kKeywords = {
    "type",     "properties", "required",    "additionalProperties",
    "items",    "minItems",   "enum",        "const",
    "minimum",  "maximum",    "oneOf",       "anyOf",
    "$ref",     "$defs",      "$schema",     "$id",
    "$comment", "title",      "description", "default",
    "examples"};

const std::set<std::string, std::less<>> kTypes = {"null",   "boolean", "object", "array",
                                                   "number", "string",  "integer"};

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty())
      out += separator;
    out += word;
  }
  return out;
}

// Adds the words not already there, so that nested unions read once each.
void append_unique(std::vector<std::string>& into, const std::vector<std::string>& words) {
  for (const auto& word : words) {
    if (std::find(into.begin(), into.end(), word) == into.end())
      into.push_back(word);
  }
}

std::string plural(const std::string& noun, std::size_t n) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// JSON Schema counts 3.0 as an integer ("a number with a zero fractional part").
template <class Json>
bool is_integral(const Json& v) {
  if (v.is_number_integer())
    return true;
  if (!v.is_number_float())
    return false;
  const double d = v.template get<double>();
  return std::isfinite(d) && std::trunc(d) == d;
}

template <class Json>
class Validator {
 public:
  explicit Validator(const json& root) : root_(root) {}

  std::optional<Failure> check(const Json& v, const json& s, const std::string& path) const {
    if (s.is_boolean()) {
      if (s.get<bool>())
        return std::nullopt;
      return Failure{path, "expected no value here, got " + describe_value(v)};
    }
    if (!s.is_object())
      throw SchemaError{path, "a schema must be an object or a boolean"};
    for (const auto& entry : s.items()) {
      if (!kKeywords.contains(entry.key())) {
        throw SchemaError{path, "unsupported keyword \"" + entry.key() + "\""};
      }
    }
    if (auto it = s.find("$ref"); it != s.end()) {
      if (auto f = check(v, resolve(*it, path), path))
        return f;
    }
    if (auto it = s.find("type"); it != s.end() && !type_matches(v, *it, path)) {
      return Failure{
          path, "expected " + join(alternatives(s, path), " or ") + ", got " + describe_value(v)};
    }
    if (auto it = s.find("const"); it != s.end() && v != Json(*it)) {
      return Failure{path, "expected " + brief_dump(*it) + ", got " + brief_dump(v)};
    }
    if (auto it = s.find("enum"); it != s.end() && !in_enum(v, *it)) {
      return Failure{path,
                     "expected " + join(alternatives(s, path), " or ") + ", got " + brief_dump(v)};
    }
    if (v.is_number()) {
      if (auto f = check_range(v, s, path))
        return f;
    }
    if (v.is_array()) {
      if (auto f = check_array(v, s, path))
        return f;
    }
    if (v.is_object()) {
      if (auto f = check_object(v, s, path))
        return f;
    }
    for (const char* keyword : {"oneOf", "anyOf"}) {
      if (auto it = s.find(keyword); it != s.end()) {
        if (auto f = check_union(v, *it, keyword == std::string_view("oneOf"), path))
          return f;
      }
    }
    return std::nullopt;
  }

 private:
  const json& resolve(const json& ref, const std::string& path) const {
    // Only references into this same document: "#/$defs/name".
    if (!ref.is_string() || !ref.get<std::string>().starts_with("#")) {
      throw SchemaError{path, "unsupported $ref " + brief_dump(ref)};
    }
    try {
      const json::json_pointer pointer(ref.get<std::string>().substr(1));
      if (root_.contains(pointer))
        return root_.at(pointer);
    } catch (const json::exception&) {
      // An unparsable pointer is reported as unresolvable below.
    }
    throw SchemaError{path, "$ref " + brief_dump(ref) + " leads nowhere"};
  }

  bool type_matches(const Json& v, const json& type, const std::string& path) const {
    if (type.is_array()) {
      for (const auto& t : type) {
        if (type_matches(v, t, path))
          return true;
      }
      return false;
    }
    if (!type.is_string() || !kTypes.contains(type.get<std::string>())) {
      throw SchemaError{path, "unsupported type " + brief_dump(type)};
    }
    const std::string& t = type.get_ref<const std::string&>();
    if (t == "null")
      return v.is_null();
    if (t == "boolean")
      return v.is_boolean();
    if (t == "object")
      return v.is_object();
    if (t == "array")
      return v.is_array();
    if (t == "number")
      return v.is_number();
    if (t == "string")
      return v.is_string();
    return is_integral(v);
  }

  bool in_enum(const Json& v, const json& values) const {
    for (const auto& value : values) {
      if (v == Json(value))
        return true;
    }
    return false;
  }

  // Whether `v` is of the kind an alternative describes, ignoring what is
  // inside: a oneOf reports the inner problem of the only alternative of the
  // right kind ("[1]: expected string") rather than the union of all kinds.
  bool kind_matches(const Json& v, const json& s, const std::string& path) const {
    if (s.is_boolean())
      return s.get<bool>();
    if (!s.is_object())
      return false;
    if (auto it = s.find("$ref"); it != s.end() && !kind_matches(v, resolve(*it, path), path)) {
      return false;
    }
    if (auto it = s.find("type"); it != s.end() && !type_matches(v, *it, path))
      return false;
    if (auto it = s.find("const"); it != s.end() && v != Json(*it))
      return false;
    if (auto it = s.find("enum"); it != s.end() && !in_enum(v, *it))
      return false;
    for (const char* keyword : {"oneOf", "anyOf"}) {
      if (auto it = s.find(keyword); it != s.end()) {
        bool any = false;
        for (const auto& alternative : *it)
          any = any || kind_matches(v, alternative, path);
        if (!any)
          return false;
      }
    }
    return true;
  }

  // What a schema accepts, as words for "expected ...": "string",
  // "array of strings", "one of \"a\", \"b\"", "null".
  std::vector<std::string> alternatives(const json& s, const std::string& path) const {
    if (s.is_boolean())
      return {s.get<bool>() ? "any value" : "no value"};
    if (auto it = s.find("enum"); it != s.end()) {
      std::vector<std::string> values;
      for (const auto& value : *it)
        values.push_back(brief_dump(value));
      return {"one of " + join(values, ", ")};
    }
    if (auto it = s.find("const"); it != s.end())
      return {brief_dump(*it)};
    std::vector<std::string> words;
    for (const char* keyword : {"oneOf", "anyOf"}) {
      if (auto it = s.find(keyword); it != s.end()) {
        for (const auto& alternative : *it)
          append_unique(words, alternatives(alternative, path));
      }
    }
    if (!words.empty())
      return words;
    if (auto it = s.find("type"); it != s.end()) {
      const json types = it->is_array() ? *it : json::array({*it});
      for (const auto& type : types)
        words.push_back(type_words(type, s, path));
      return words;
    }
    if (auto it = s.find("$ref"); it != s.end())
      return alternatives(resolve(*it, path), path);
    return {"any value"};
  }

  std::string type_words(const json& type, const json& s, const std::string& path) const {
    const std::string name = type.is_string() ? type.get<std::string>() : brief_dump(type);
    auto items = s.find("items");
    if (name != "array" || items == s.end())
      return name;
    const auto item_words = alternatives(*items, path);
    if (item_words.size() == 1 && kTypes.contains(item_words[0])) {
      return "array of " + item_words[0] + "s";
    }
    return name;
  }

  std::optional<Failure> check_range(const Json& v, const json& s, const std::string& path) const {
    const auto min = s.find("minimum");
    const auto max = s.find("maximum");
    const double d = v.template get<double>();
    const bool low = min != s.end() && d < min->template get<double>();
    const bool high = max != s.end() && d > max->template get<double>();
    if (!low && !high)
      return std::nullopt;
    if (min != s.end() && max != s.end()) {
      const bool integer = s.value("type", json()) == "integer";
      return Failure{path, "expected " + std::string(integer ? "integer" : "number") + " between " +
                               min->dump() + " and " + max->dump() + ", got " + v.dump()};
    }
    const std::string bound = low ? "at least " + min->dump() : "at most " + max->dump();
    return Failure{path, "expected " + bound + ", got " + v.dump()};
  }

  std::optional<Failure> check_array(const Json& v, const json& s, const std::string& path) const {
    if (auto it = s.find("minItems"); it != s.end() && v.size() < it->template get<std::size_t>()) {
      return Failure{path, "expected at least " + plural("item", it->template get<std::size_t>()) +
                               ", got " + std::to_string(v.size())};
    }
    if (auto items = s.find("items"); items != s.end()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (auto f = check(v[i], *items, path_with_index(path, i)))
          return f;
      }
    }
    return std::nullopt;
  }

  std::optional<Failure> check_object(const Json& v, const json& s, const std::string& path) const {
    const auto properties = s.find("properties");
    const auto extra = s.find("additionalProperties");
    auto schema_of = [&](const std::string& key) -> const json* {
      if (properties != s.end() && properties->contains(key))
        return &properties->at(key);
      if (extra != s.end())
        return &*extra;
      return nullptr;
    };
    // Unknown keys first: a misspelt key is the likely cause of a missing one.
    for (const auto& entry : v.items()) {
      const json* sub = schema_of(entry.key());
      if (sub != nullptr && sub->is_boolean() && !sub->template get<bool>()) {
        return Failure{path, "unknown key " + brief_dump(json(entry.key()))};
      }
    }
    if (auto required = s.find("required"); required != s.end()) {
      for (const auto& key : *required) {
        if (!v.contains(key.template get<std::string>())) {
          return Failure{path, "missing required key " + brief_dump(key)};
        }
      }
    }
    for (const auto& entry : v.items()) {
      if (const json* sub = schema_of(entry.key())) {
        if (auto f = check(entry.value(), *sub, path_with_key(path, entry.key())))
          return f;
      }
    }
    return std::nullopt;
  }

  std::optional<Failure> check_union(const Json& v, const json& options, bool exactly_one,
                                     const std::string& path) const {
    if (!options.is_array() || options.empty()) {
      throw SchemaError{path, "oneOf/anyOf must be a non-empty array"};
    }
    std::vector<std::optional<Failure>> results;
    std::size_t passed = 0;
    for (const auto& option : options) {
      results.push_back(check(v, option, path));
      passed += results.back() ? 0 : 1;
    }
    std::vector<std::string> words;
    for (const auto& option : options)
      append_unique(words, alternatives(option, path));
    if (passed == 1 || (passed > 1 && !exactly_one))
      return std::nullopt;
    if (passed > 1) {
      return Failure{path, "expected exactly one of " + join(words, ", ") + " to match, got " +
                               describe_value(v) + " matching " + std::to_string(passed)};
    }
    std::optional<std::size_t> only_kind;
    for (std::size_t i = 0; i < options.size(); ++i) {
      if (!kind_matches(v, options[i], path))
        continue;
      if (only_kind) {
        only_kind.reset();
        break;
      }
      only_kind = i;
    }
    if (only_kind)
      return results[*only_kind];
    return Failure{path, "expected " + join(words, " or ") + ", got " + describe_value(v)};
  }

  const json& root_;
};

}  // namespace

template <class Json>
Status validate_json(const Json& instance, const nlohmann::json& schema) {
  try {
    const Validator<Json> validator(schema);
    if (auto f = validator.check(instance, schema, "")) {
      return Error{f->path.empty() ? f->problem : f->path + ": " + f->problem};
    }
    return Ok{};
  } catch (const SchemaError& e) {
    return Error{"schema: " + e.problem + (e.path.empty() ? "" : " (checking " + e.path + ")")};
  } catch (const nlohmann::json::exception& e) {
    // A keyword whose argument has the wrong shape, such as "required": 3.
    return Error{std::string("schema: malformed keyword argument: ") + e.what()};
  }
}

template Status validate_json(const nlohmann::json&, const nlohmann::json&);
template Status validate_json(const nlohmann::ordered_json&, const nlohmann::json&);

}  // namespace kong::mock
