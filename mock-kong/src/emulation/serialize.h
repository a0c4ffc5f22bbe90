#pragma once

#include <nlohmann/json.hpp>

#include "kong/mock/kong_state.h"
#include "kong/protocol/value.h"

namespace kong::mock {

/// kong.log.serialize()'s table for the case, as Kong's log serializer builds
/// it (docs/fixtures.md lists the fields), with the set_serialize_value edits
/// made before the log handler applied. Raises Kong's error for an edit whose
/// path crosses a value that is not a table.
nlohmann::json serialized_log(const KongState& s);

/// What Kong saves for a plugin server's log handler before it runs (the
/// serializer's table and the header tables): the notices its reads past
/// ngx_lua's limits log.
void save_log_phase_copies(KongState& s);

/// kong.log.serialize over RPC: that table as cjson encodes it (a string).
protocol::Value serialize(KongState& s, const protocol::Array& args);

}  // namespace kong::mock
