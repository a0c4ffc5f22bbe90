#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/result.h"

namespace kong::mock {

/// Checks a plugin configuration against the Kong entity schema a plugin
/// server dumped (its `fields[].config` record) and fills in declared
/// defaults, as Kong's schema validation does before it starts an instance.
/// Field types: string, boolean, integer, number, array (`elements`), set,
/// map (`keys`, `values`), record (`fields`), json; `required`, `default`,
/// `between`, `one_of`, `len_min`/`len_max` are honoured. Errors start with
/// `where` (e.g. the fixture file) and name the path, expected before actual:
/// "fixtures/hello.json: config.message: expected string, got number 3",
/// "fixtures/hello.json: config.mesage: unknown field".
/// A string field with `referenceable: true` may hold a vault reference
/// instead; Kong then checks only that it is a string.
Result<nlohmann::json> validate_config(const nlohmann::json& config,
                                       const nlohmann::json& kong_schema, const std::string& where);

/// kong.vault.is_reference: "{vault://...}".
bool is_vault_reference(std::string_view text);

/// Looks a vault reference up: the secret, or nullopt and why in `error`.
using ReferenceResolver =
    std::function<std::optional<std::string>(const std::string& reference, std::string& error)>;

/// What Kong does to a checked configuration when it loads the plugin
/// (kong/db/schema/init.lua, process_auto_fields on select): each vault
/// reference in a `referenceable` string field, or in an array, set or map
/// of them, becomes its secret (`""` when it has none, with Kong's warning in
/// `warnings`), and the record keeps the references under "$refs".
nlohmann::json resolve_config_references(nlohmann::json config, const nlohmann::json& kong_schema,
                                         const ReferenceResolver& resolve,
                                         std::vector<std::string>& warnings);

}  // namespace kong::mock
