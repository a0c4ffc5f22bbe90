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

// U of `a` against `b` and its null distribution: P(U >= u_a) is the
// one-sided p-value that a ranks above b.
struct UStatistic {
  double u = 0;  // pairs (x in a, y in b) with x > y, ties counting a half
  double m = 0;
  double n = 0;
  bool ties = false;
  double tie_term = 0;  // the sum of t^3 - t over groups of t ties
};

UStatistic u_statistic(const std::vector<double>& a, const std::vector<double>& b) {
  UStatistic s;
  s.m = static_cast<double>(a.size());
  s.n = static_cast<double>(b.size());
  // Ranks of the pooled values, ties given their mean rank.
  std::vector<std::pair<double, bool>> pooled;  // value, from a
  for (double v : a)
    pooled.emplace_back(v, true);
  for (double v : b)
    pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  const std::size_t total = pooled.size();
  double rank_sum_a = 0;
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
    s.tie_term += t * t * t - t;
    s.ties = s.ties || j - i > 1;
    i = j;
  }
  s.u = rank_sum_a - s.m * (s.m + 1) / 2;
  return s;
}

// P(U >= u) under the null hypothesis.
double upper_tail(const UStatistic& s) {
  const auto m = static_cast<std::size_t>(s.m);
  const auto n = static_cast<std::size_t>(s.n);
  if (!s.ties && m <= kExactUpTo && n <= kExactUpTo) {
    // U is symmetric about mn/2: P(U >= u) = P(U <= mn - u).
    return exact_cdf(m, n, static_cast<std::size_t>(std::llround(s.m * s.n - s.u)));
  }
  const double total = s.m + s.n;
  const double variance = s.m * s.n / 12 * ((total + 1) - s.tie_term / (total * (total - 1)));
  if (variance <= 0)
    return 1;  // every value the same
  const double z = (s.u - s.m * s.n / 2 - 0.5) / std::sqrt(variance);
  return std::erfc(z / std::sqrt(2.0)) / 2;
}

}  // namespace

double mann_whitney_greater_p(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty())
    return 1;
  return std::min(1.0, upper_tail(u_statistic(a, b)));
}

double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty())
    return 1;
  // Both tails, from the side a lies on.
  return std::min(1.0, 2 * std::min(mann_whitney_greater_p(a, b), mann_whitney_greater_p(b, a)));
}

}  // namespace kong::mock
