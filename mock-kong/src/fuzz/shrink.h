#pragma once

#include <functional>

#include "kong/mock/fixture.h"

namespace kong::mock {

/// Makes `c` smaller while `reproduces` still holds for it, so that a
/// finding reads as its cause: headers and query arguments dropped (halves
/// first, then one by one), values and bodies cut, and the rest set back to
/// a fixture's defaults. Calls `reproduces` at most `budget` times.
Case shrink_case(Case c, const std::function<bool(const Case&)>& reproduces, int budget);

}  // namespace kong::mock
