#pragma once

#include <string_view>

#include "kong/protocol/value.h"

namespace kong::mock {

/// lua-multipart 0.5.9, which Kong pins, as kong.request.get_body and
/// kong.service.response.get_body use it:
/// `multipart(body, content_type):get_all_with_arrays()`. Its quirks are
/// Kong's answers: a part name loses its first and last characters (the
/// quotes, when there are any), the boundary is the non-space text after
/// ";boundary=" (so "boundary=X; charset=utf-8" is "X;"), and no boundary
/// gives an empty table.
protocol::Value decode_multipart(std::string_view body, std::string_view content_type);

}  // namespace kong::mock
