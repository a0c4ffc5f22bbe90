#include "kong/mock/expectations.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kong::mock {
namespace {

// Values print as JSON so that "" and absent read differently.
std::string quoted(const std::string& s) {
  return nlohmann::json(s).dump();
}

std::string quoted(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump();
}

// What is expected is compared as it is, and quoted only when it differs:
// --bench checks every answer.
class Checker {
 public:
  void equal(const std::string& path, const std::string& expected, const std::string& actual) {
    if (expected != actual)
      mismatches.push_back({path, expected, actual});
  }
  template <class T>
  void same(const std::string& path, const T& expected, const T& actual) {
    if (expected != actual)
      mismatches.push_back({path, quoted(expected), quoted(actual)});
  }

  void headers(const std::string& path, const std::vector<ExpectedHeader>& expected,
               const Headers& actual) {
    for (const auto& h : expected) {
      auto at = [&] { return path + "." + h.name; };
      // The common expectation, one value for the first line: no copies.
      if (h.values && !h.all_values) {
        if (const std::string* first = actual.find(h.name); first && *first == h.values->front())
          continue;
      }
      const std::vector<std::string> values = actual.all(h.name);
      if (!h.values) {
        if (!values.empty())
          mismatches.push_back({at(), "absent", quoted(values)});
      } else if (h.all_values) {
        if (values != *h.values) {
          mismatches.push_back(
              {at(), quoted(*h.values), values.empty() ? "absent" : quoted(values)});
        }
      } else if (values.empty()) {
        mismatches.push_back({at(), quoted(h.values->front()), "absent"});
      } else if (h.values->front() != values.front()) {
        mismatches.push_back({at(), quoted(h.values->front()), quoted(values.front())});
      }
    }
  }

  std::vector<Mismatch> mismatches;
};

// `at` is where the expectations are ("expect"); `plugin`, when given, the
// plugin whose lines count.
void check_log(Checker& check, const std::string& at, const std::vector<ExpectedLog>& expected,
               const std::vector<LogLine>& log, const std::string* plugin = nullptr) {
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& want = expected[i];
    std::vector<std::string> same_level;
    bool found = false;
    for (const auto& line : log) {
      if (line.level != want.level || (plugin && line.plugin != *plugin))
        continue;
      same_level.push_back(line.message);
      found = found || line.message.find(want.contains) != std::string::npos;
    }
    if (!found) {
      check.mismatches.push_back(
          {fmt::format("{}.log[{}]", at, i),
           fmt::format("a line at level {} containing {}", want.level, quoted(want.contains)),
           same_level.empty() ? fmt::format("no {} lines", want.level)
                              : fmt::format("{} lines {}", want.level, quoted(same_level))});
    }
  }
}

// The fixture's invariants: a header "present" is one with any value.
void check_invariants(Checker& check, const Invariants& invariants, const CaseRun& run) {
  const KongState& s = run.state;
  const auto& statuses = invariants.status;
  if (!statuses.empty() &&
      std::find(statuses.begin(), statuses.end(), s.response.status) == statuses.end()) {
    check.mismatches.push_back({"fuzz.invariants.status",
                                fmt::format("one of {}", nlohmann::json(statuses).dump()),
                                std::to_string(s.response.status)});
  }
  for (const auto& name : invariants.response_headers) {
    if (s.response.headers.all(name).empty())
      check.mismatches.push_back({"fuzz.invariants.response_headers." + name, "present", "absent"});
  }
  if (!s.proxied || invariants.service_request_headers.empty())
    return;
  const UpstreamRequest sent = upstream_request(s);
  for (const auto& name : invariants.service_request_headers) {
    if (sent.headers.all(name).empty()) {
      check.mismatches.push_back(
          {"fuzz.invariants.service_request_headers." + name, "present", "absent"});
    }
  }
}

}  // namespace

std::vector<Mismatch> check_expectations(const Expectations& expect, const CaseRun& run) {
  std::vector<Mismatch> mismatches;
  if (!expect.errors) {
    // Errors of a plugin whose errors are expected are checked there.
    std::multiset<std::string> accounted;
    for (const auto& [name, want] : expect.plugins) {
      const auto it = run.plugins.find(name);
      if (want.errors && it != run.plugins.end())
        accounted.insert(it->second.errors.begin(), it->second.errors.end());
    }
    for (const auto& error : run.errors) {
      if (const auto it = accounted.find(error); it != accounted.end()) {
        accounted.erase(it);
        continue;
      }
      mismatches.push_back({"kong error log", "no errors", error});
    }
  }
  auto named = check_named(expect, run);
  mismatches.insert(mismatches.end(), named.begin(), named.end());
  return mismatches;
}

std::vector<Mismatch> check_named(const Expectations& expect, const CaseRun& run) {
  Checker check;
  const KongState& s = run.state;
  if (expect.errors)
    check.same("expect.errors", *expect.errors, run.errors);

  if (const auto& r = expect.response) {
    if (r->status && *r->status != s.response.status) {
      check.equal("expect.response.status", std::to_string(*r->status),
                  std::to_string(s.response.status));
    }
    check.headers("expect.response.headers", r->headers, s.response.headers);
    if (r->body)
      check.same("expect.response.body", *r->body, s.response.body);
    if (r->json_body) {
      auto actual = nlohmann::json::parse(s.response.body, nullptr, false);
      if (actual.is_discarded()) {
        check.mismatches.push_back({"expect.response.json_body", r->json_body->dump(),
                                    "not JSON: " + quoted(s.response.body)});
      } else {
        check.equal("expect.response.json_body", r->json_body->dump(), actual.dump());
      }
    }
  }
  if (const auto& sr = expect.service_request) {
    const UpstreamRequest sent = upstream_request(s);
    check.headers("expect.service_request.headers", sr->headers, sent.headers);
    if (sr->method)
      check.same("expect.service_request.method", *sr->method, sent.method);
    if (sr->path)
      check.same("expect.service_request.path", *sr->path, sent.path);
    if (sr->raw_query)
      check.same("expect.service_request.raw_query", *sr->raw_query, sent.raw_query);
    if (sr->body)
      check.same("expect.service_request.body", *sr->body, sent.body);
  }
  check_log(check, "expect", expect.log, s.log);
  if (expect.phases)
    check.same("expect.phases", *expect.phases, run.phases_run);
  // Each plugin's own, from what the run kept of it (nothing when it never
  // ran: an empty list of phases, no errors, no lines).
  static const PluginRun kDidNothing;
  for (const auto& [name, want] : expect.plugins) {
    const std::string at = "expect.plugins." + name;
    const auto it = run.plugins.find(name);
    const PluginRun& got = it == run.plugins.end() ? kDidNothing : it->second;
    check_log(check, at, want.log, s.log, &name);
    if (want.phases)
      check.same(at + ".phases", *want.phases, got.phases_run);
    if (want.errors)
      check.same(at + ".errors", *want.errors, got.errors);
  }
  check_invariants(check, expect.invariants, run);
  return check.mismatches;
}

std::string to_string(const Mismatch& m) {
  if (m.expected.empty())
    return fmt::format("{}: {}", m.path, m.actual);
  return fmt::format("{}: expected {}, got {}", m.path, m.expected, m.actual);
}

}  // namespace kong::mock
