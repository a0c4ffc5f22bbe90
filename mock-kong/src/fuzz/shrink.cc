#include "fuzz/shrink.h"

#include <string>
#include <vector>

#include "kong/mock/url.h"

namespace kong::mock {
namespace {

class Shrinker {
 public:
  Shrinker(const std::function<bool(const Case&)>& reproduces, int budget)
      : reproduces_(reproduces), budget_(budget) {}

  // Takes `candidate` when it still reproduces.
  bool attempt(Case& c, Case candidate) {
    if (budget_ <= 0 || candidate == c)
      return false;
    --budget_;
    if (!reproduces_(candidate))
      return false;
    c = std::move(candidate);
    return true;
  }

  // Drops chunks of a list held in `c` (halves first, then smaller), the
  // list read and written by `get` and `set`.
  template <class T, class Get, class Set>
  bool drop_chunks(Case& c, Get get, Set set) {
    bool shrunk = false;
    for (std::size_t chunk = std::max<std::size_t>(1, get(c).size() / 2); chunk >= 1; chunk /= 2) {
      for (std::size_t at = 0; at < get(c).size() && budget_ > 0;) {
        std::vector<T> fewer = get(c);
        fewer.erase(
            fewer.begin() + static_cast<std::ptrdiff_t>(at),
            fewer.begin() + static_cast<std::ptrdiff_t>(std::min(at + chunk, fewer.size())));
        Case candidate = c;
        set(candidate, std::move(fewer));
        if (attempt(c, std::move(candidate))) {
          shrunk = true;
        } else {
          at += chunk;
        }
      }
      if (chunk == 1)
        break;
    }
    return shrunk;
  }

  // Empties a string in `c`, or else cuts it to its first half while that
  // reproduces.
  template <class Field>
  bool cut(Case& c, Field field) {
    if (field(c).empty())
      return false;
    Case empty = c;
    field(empty).clear();
    if (attempt(c, std::move(empty)))
      return true;
    bool shrunk = false;
    while (budget_ > 0 && field(c).size() > 1) {
      Case candidate = c;
      field(candidate).resize(field(c).size() / 2);
      if (!attempt(c, std::move(candidate)))
        break;
      shrunk = true;
    }
    return shrunk;
  }

  bool exhausted() const { return budget_ <= 0; }

 private:
  const std::function<bool(const Case&)>& reproduces_;
  int budget_;
};

std::vector<std::string> query_pieces(const Case& c) {
  std::vector<std::string> pieces;
  auto url = parse_url(c.request.url);
  if (!url)
    return pieces;
  std::string_view q = url->raw_query;
  while (!q.empty()) {
    const auto amp = q.find('&');
    pieces.emplace_back(q.substr(0, amp));
    q = amp == std::string_view::npos ? "" : q.substr(amp + 1);
  }
  return pieces;
}

void set_query_pieces(Case& c, const std::vector<std::string>& pieces) {
  auto url = parse_url(c.request.url);
  if (!url)
    return;
  std::string q;
  for (const auto& piece : pieces)
    q += (q.empty() ? "" : "&") + piece;
  // Rebuilt from what the URL held: only the query changes.
  const std::string& text = c.request.url;
  const auto mark = text.find('?');
  c.request.url = text.substr(0, mark) + (q.empty() && !url->has_query ? "" : "?" + q);
}

}  // namespace

Case shrink_case(Case c, const std::function<bool(const Case&)>& reproduces, int budget) {
  Shrinker s(reproduces, budget);
  const Case defaults;
  bool shrunk = true;
  while (shrunk && !s.exhausted()) {
    shrunk = false;
    shrunk |= s.drop_chunks<std::pair<std::string, std::string>>(
        c, [](const Case& x) { return x.request.headers; },
        [](Case& x, HeaderList h) { x.request.headers = std::move(h); });
    shrunk |= s.drop_chunks<std::string>(
        c, query_pieces, [](Case& x, std::vector<std::string> q) { set_query_pieces(x, q); });
    shrunk |= s.cut(c, [](Case& x) -> std::string& { return x.request.body; });
    for (std::size_t i = 0; i < c.request.headers.size(); ++i) {
      shrunk |= s.cut(c, [i](Case& x) -> std::string& { return x.request.headers[i].second; });
    }
    // The rest back to a fixture's defaults, one part at a time.
    const auto reset = [&](auto apply) {
      Case candidate = c;
      apply(candidate);
      shrunk |= s.attempt(c, std::move(candidate));
    };
    reset([&](Case& x) { x.upstream.reset(); });
    reset([&](Case& x) { x.consumer = nullptr, x.credential = nullptr; });
    reset([&](Case& x) { x.client = defaults.client; });
    reset([&](Case& x) { x.request.method = defaults.request.method; });
    reset([&](Case& x) { x.request.http_version = defaults.request.http_version; });
  }
  return c;
}

}  // namespace kong::mock
