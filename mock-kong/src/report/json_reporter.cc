// --json FILE: every case's outcome, mismatches, PDK calls and time, in the
// format docs/reports.md describes.
#include "kong/mock/reporter.h"
#include "kong/protocol/json_value.h"

#include "report/report_file.h"

namespace kong::mock {
namespace {

using Json = nlohmann::ordered_json;

double milliseconds(std::chrono::nanoseconds t) {
  return std::chrono::duration<double, std::milli>(t).count();
}

std::string outcome(const CaseResult& r) {
  return r.errored() ? "error" : r.passed() ? "passed" : "failed";
}

Json case_json(const CaseResult& r) {
  Json c = {{"name", r.name},
            {"path", r.path},
            {"outcome", outcome(r)},
            {"time_ms", milliseconds(r.time)}};
  Json mismatches = Json::array();
  for (const auto& m : r.mismatches)
    mismatches.push_back({{"path", m.path}, {"expected", m.expected}, {"actual", m.actual}});
  c["mismatches"] = std::move(mismatches);
  if (r.run) {
    const KongState& s = r.run->state;
    c["phases"] = r.run->phases_run;
    c["errors"] = r.run->errors;
    if (const auto& f = r.run->fault) {
      c["fault"] = {{"kind", std::string(to_string(f->kind))},
                    {"phase", std::string(to_string(f->phase))},
                    {"calls", f->calls},
                    {"last_call", f->last_call},
                    {"message", "the plugin server " + f->message}};
    }
    Json calls = Json::array();
    for (const auto& t : s.trace) {
      Json call = {{"phase", std::string(to_string(t.phase))},
                   {"method", t.method},
                   {"args", protocol::value_to_json(t.args)}};
      if (!t.plugin.empty())
        call["plugin"] = t.plugin;
      if (t.error.empty())
        call["result"] = protocol::value_to_json(t.result);
      else
        call["error"] = t.error;
      calls.push_back(std::move(call));
    }
    c["calls"] = std::move(calls);
    Json headers = Json::array();
    for (const auto& [name, value] : s.response.headers.lines())
      headers.push_back({name, value});
    c["response"] = {{"status", s.response.status},
                     {"headers", std::move(headers)},
                     {"body", s.response.body},
                     {"source", s.response.source}};
    if (s.handshake_failed)
      c["response"]["handshake_failed"] = true;
  }
  c["output"] = r.output;
  return c;
}

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::string file) : file_(std::move(file)) {}

  void begin(const RunHeader& run) override {
    report_ = {{"format", "mock-kong report 1"},
               {"fixture", run.fixture.file},
               {"plugin",
                {{"name", run.plugin.name},
                 {"version", run.plugin.version},
                 {"protocol", run.plugin.protocol},
                 {"phases", run.plugin.phases}}},
               {"cases", Json::array()}};
  }

  void case_done(const Case&, const CaseResult& result) override {
    ++counts_[outcome(result)];
    total_ += result.time;
    report_["cases"].push_back(case_json(result));
  }

  Status end() override {
    report_["summary"] = {{"cases", report_["cases"].size()},
                          {"passed", counts_["passed"]},
                          {"failed", counts_["failed"]},
                          {"errors", counts_["error"]},
                          {"time_ms", milliseconds(total_)}};
    // Plugin output and bodies may be any bytes: invalid UTF-8 becomes U+FFFD.
    return write_report_file(file_,
                             report_.dump(2, ' ', false, Json::error_handler_t::replace) + "\n",
                             "the JSON report");
  }

 private:
  std::string file_;
  Json report_;
  std::map<std::string, std::size_t> counts_;
  std::chrono::nanoseconds total_{};
};

}  // namespace

std::unique_ptr<Reporter> json_reporter(std::string file) {
  return std::make_unique<JsonReporter>(std::move(file));
}

}  // namespace kong::mock
