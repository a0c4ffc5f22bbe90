#include "bench/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace kong::mock {
namespace {

// Up to this many trials a side, the exact distribution is counted.
constexpr std::size_t kExactUpTo = 20;

// P(U <= u) for samples of m and n without ties: the share of the
// C(m+n, m) orderings whose U is at most u. ways[i][j][k] = orderings of i
// and j values with U = k, built as the last value goes to either side.
double exact_cdf(std::size_t m, std::size_t n, std::size_t u) {
  const std::size_t max_u = m * n;
  std::vector<std::vector<std::vector<double>>> ways(
      m + 1, std::vector<std::vector<double>>(n + 1, std::vector<double>(max_u + 1, 0.0)));
  for (std::size_t i = 0; i <= m; ++i) {
    for (std::size_t j = 0; j <= n; ++j) {
      if (i == 0 || j == 0) {
        ways[i][j][0] = 1;
        continue;
      }
      for (std::size_t k = 0; k <= i * j; ++k) {
        // The largest value is from the first sample: it beats all j others.
        const double first = k >= j ? ways[i - 1][j][k - j] : 0.0;
        ways[i][j][k] = first + ways[i][j - 1][k];
      }
    }
  }
  double total = 0;
  double below = 0;
  for (std::size_t k = 0; k <= max_u; ++k) {
    total += ways[m][n][k];
    if (k <= u)
      below += ways[m][n][k];
  }
  return below / total;
}

}  // namespace

double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t m = a.size();
  const std::size_t n = b.size();
  if (m == 0 || n == 0)
    return 1;
  // Ranks of the pooled values, ties given their mean rank.
  std::vector<std::pair<double, bool>> pooled;  // value, from a
  for (double v : a)
    pooled.emplace_back(v, true);
  for (double v : b)
    pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  const std::size_t total = m + n;
  double rank_sum_a = 0;
  double tie_term = 0;  // sum of t^3 - t over groups of t ties
  bool ties = false;
  for (std::size_t i = 0; i < total;) {
    std::size_t j = i;
    while (j < total && pooled[j].first == pooled[i].first)
      ++j;
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k) {
      if (pooled[k].second)
        rank_sum_a += rank;
    }
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    ties = ties || j - i > 1;
    i = j;
  }
  const double dm = static_cast<double>(m);
  const double dn = static_cast<double>(n);
  const double u = rank_sum_a - dm * (dm + 1) / 2;
  if (!ties && m <= kExactUpTo && n <= kExactUpTo) {
    // Both tails, from the smaller U's side.
    const double smaller = std::min(u, dm * dn - u);
    const double p = 2 * exact_cdf(m, n, static_cast<std::size_t>(std::llround(smaller)));
    return std::min(1.0, p);
  }
  const double mean = dm * dn / 2;
  const double dt = static_cast<double>(total);
  const double variance = dm * dn / 12 * ((dt + 1) - tie_term / (dt * (dt - 1)));
  if (variance <= 0)
    return 1;  // every value the same
  const double z = std::max(0.0, std::abs(u - mean) - 0.5) / std::sqrt(variance);
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

}  // namespace kong::mock
