#pragma once

#include <string>
#include <string_view>

#include "kong/result.h"

namespace kong::mock {

/// Writes a report's whole `text` to `file`; the error names `what` ("the
/// JUnit report") and the file, with the reason.
Status write_report_file(const std::string& file, std::string_view text, std::string_view what);

}  // namespace kong::mock
