#pragma once

#include <string>

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
Result<nlohmann::json> validate_config(const nlohmann::json& config,
                                       const nlohmann::json& kong_schema, const std::string& where);

}  // namespace kong::mock
