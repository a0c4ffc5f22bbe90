#pragma once

#include <nlohmann/json.hpp>

#include "kong/protocol/value.h"

namespace kong::protocol {

/// JSON to a wire value: objects become maps, numbers keep their kind (an
/// unsigned past int64 becomes a double, as in Lua), binary becomes bytes.
Value json_to_value(const nlohmann::json& j);
/// A wire value as JSON. Bytes become strings (Lua strings are bytes) and a
/// map key that is not text is written as its debug form.
nlohmann::json value_to_json(const Value& v);

}  // namespace kong::protocol
