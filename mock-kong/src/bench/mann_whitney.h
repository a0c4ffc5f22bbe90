#pragma once

#include <vector>

namespace kong::mock {

/// The two-sided p-value of the Mann-Whitney U test: how likely samples as
/// far apart as `a` and `b` are when both come from one distribution. It
/// assumes nothing about the shape of the noise, only that trials are
/// independent, which is why Google Benchmark's compare.py uses it for
/// timings. Exact for small samples without ties; the normal approximation
/// with the tie and continuity corrections otherwise (as SciPy's
/// mannwhitneyu). 1 when either sample is empty.
double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b);

/// The one-sided p-value that `a` tends to be greater than `b` (its values
/// rank above b's more than chance would make them): the same test, one
/// tail. 1 when either sample is empty.
double mann_whitney_greater_p(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace kong::mock
