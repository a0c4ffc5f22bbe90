#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/result.h"

namespace kong::mock {

/// Checks `instance` against `schema`, a JSON Schema (draft 2020-12) using
/// only the keywords the fixture schema needs: type (a name or an array of
/// names, "integer" included), properties, required, additionalProperties
/// (a boolean or a schema), items, minItems, enum, const, minimum, maximum,
/// oneOf, anyOf, $ref to a JSON pointer inside `schema` ("#/$defs/case"), and
/// the annotations $schema, $id, $comment, title, description, default,
/// examples, $defs.
///
/// Returns Ok, or an Error "<path>: <problem>" for the first problem found
/// (just "<problem>" when the top-level value is at fault). The path reads
/// like `cases[1].request.headers.X-Id`; the problem says what was expected
/// before what was found: `expected string or array of strings, got number 3`,
/// `unknown key "foo"`, `missing required key "name"`,
/// `expected one of "http", "stream", got "tcp"`. A failed oneOf/anyOf reports
/// the one alternative whose type matched, else every alternative's type.
/// A keyword outside this subset, or a $ref that leads nowhere, is an Error
/// starting "schema: ". Instantiated for nlohmann::json and
/// nlohmann::ordered_json; with the latter, problems come in document order.
template <class Json>
Status validate_json(const Json& instance, const nlohmann::json& schema);

/// The JSON text of a value, cut to about 60 characters for messages.
template <class Json>
std::string brief_dump(const Json& value) {
  constexpr std::size_t kMax = 60;
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() <= kMax)
    return text;
  std::size_t cut = kMax - 3;
  // Never split a UTF-8 sequence: back up to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return text.substr(0, cut) + "...";
}

/// How a value reads in a message, JSON Schema type first: `number 3`,
/// `string "tcp"`, `boolean true`, `null`, `array`, `object`.
template <class Json>
std::string describe_value(const Json& value) {
  if (value.is_null())
    return "null";
  if (value.is_boolean())
    return "boolean " + value.dump();
  if (value.is_number())
    return "number " + value.dump();
  if (value.is_string())
    return "string " + brief_dump(value);
  if (value.is_array())
    return "array";
  if (value.is_object())
    return "object";
  return "value";
}

/// `path` extended by an object key: "a.b", or `a["x.y"]` when the key holds
/// characters that would make the path ambiguous; just the key at the top.
inline std::string path_with_key(const std::string& path, std::string_view key) {
  const bool plain = !key.empty() && key.find_first_of(".[]\" ") == std::string_view::npos;
  if (!plain)
    return path + "[" + brief_dump(nlohmann::json(std::string(key))) + "]";
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

/// `path` extended by an array index: "a[3]".
inline std::string path_with_index(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

}  // namespace kong::mock
