#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kong/mock/fixture.h"
#include "kong/protocol/coverage_map.h"

namespace kong::mock {

/// The fuzzer's source of choices: seeded, and the same sequence on every
/// machine (the engine's raw output only, no library distribution).
class FuzzRandom {
 public:
  explicit FuzzRandom(std::uint64_t seed) : engine_(seed) {}
  /// A number in [0, n); 0 when n is 0.
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : engine_() % n; }
  /// True `percent` times in 100.
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

/// The strings mutations draw from: those of the plugin's config (keys and
/// values), of the cases (header names and values, query arguments, path
/// segments, JSON bodies), the fixture's fuzz.dictionary, and values that
/// break parsers ("", "0", "-1", "null", "%", "../", very long ones).
std::vector<std::string> fuzz_dictionary(const Fixture& fixture);

/// Whether the operand of `compared` is in the request's header values or
/// body: only then can a mutation put the constant in its place.
bool operand_in(const Case& c, const protocol::Comparison& compared);

/// Turns a case into a new request lifecycle Kong could deliver: every URL,
/// header and body it makes passes the fixture loader's checks, so a finding
/// written as a fixture replays. Each call applies one to four mutations.
class CaseMutator {
 public:
  struct Options {
    std::vector<std::string> dictionary;
    /// The node's trusted_ips, to pick client addresses inside and outside.
    std::vector<std::string> trusted_ips;
    /// Consumers in Kong's database (the fixture's), to authenticate as.
    std::vector<nlohmann::json> consumers;
    /// The plugin handles preread: stream sessions are worth making.
    bool stream = false;
  };
  CaseMutator(Options options, std::uint64_t seed);

  /// `comparisons`: what the plugin compared with constants while it ran
  /// `base` (a guided plugin's); some mutations put a constant where its
  /// operand is in the request.
  Case mutate(const Case& base, const std::vector<protocol::Comparison>& comparisons = {});
  FuzzRandom& random() { return random_; }

 private:
  void mutate_once(Case& c);
  void method(Case& c);
  void path(Case& c);
  void query(Case& c);
  void headers(Case& c);
  void body(Case& c);
  void client(Case& c);
  void identity(Case& c);
  void upstream(Case& c);
  void protocol(Case& c);
  bool comparison(Case& c, const protocol::Comparison& compared);

  std::string word();
  std::string header_value();
  std::string json_body(const std::string& current);
  std::string form_body();
  std::string multipart_body(const std::string& boundary);

  Options options_;
  FuzzRandom random_;
};

}  // namespace kong::mock
