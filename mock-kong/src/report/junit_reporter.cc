// --junit FILE: JUnit XML in the shape CI dashboards read (Jenkins, GitLab,
// GitHub test reporters): one testsuite per fixture, one testcase per case.
#include <unistd.h>

#include <ctime>

#include <fmt/format.h>

#include "kong/mock/reporter.h"

#include "report/report_file.h"
#include "report/run_text.h"
#include "state/utf8.h"

namespace kong::mock {
namespace {

// Text as XML 1.0 character data or attribute value: markup escaped, and
// what XML cannot carry at all (control characters, invalid UTF-8) shown as
// \xNN, so that a plugin printing binary still yields a readable report.
std::string xml_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string seconds(std::chrono::nanoseconds t) {
  return fmt::format("{:.6f}", std::chrono::duration<double>(t).count());
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines)
    out += line + "\n";
  return out;
}

// The fixture's file name without directories and extension: the
// classname dashboards group the cases under.
std::string fixture_stem(const std::string& file) {
  std::string stem = file.substr(file.rfind('/') + 1);
  if (auto dot = stem.rfind('.'); dot != std::string::npos && dot > 0)
    stem.erase(dot);
  return stem;
}

class JunitReporter final : public Reporter {
 public:
  explicit JunitReporter(std::string file) : file_(std::move(file)) {}

  void begin(const RunHeader& run) override {
    fixture_ = run.fixture.file;
    classname_ = fixture_stem(run.fixture.file);
    plugin_ = fmt::format("{} {} ({})", run.plugin.name, run.plugin.version, run.plugin.protocol);
    started_ = std::time(nullptr);
  }

  void case_done(const Case&, const CaseResult& r) override {
    ++tests_;
    total_ += r.time;
    std::string xml = fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                                  xml_text(r.name), xml_text(classname_), seconds(r.time));
    std::string body;
    if (r.errored()) {
      ++errors_;
      const std::string type = r.unrunnable()
                                   ? "unrunnable case"
                                   : fmt::format("plugin server {}", to_string(r.run->fault->kind));
      body += fmt::format("      <error message=\"{}\" type=\"{}\">{}</error>\n",
                          xml_text(r.mismatches.front().actual), xml_text(type),
                          xml_text(joined(mismatch_lines(r))));
    } else if (!r.passed()) {
      ++failures_;
      std::vector<std::string> details = mismatch_lines(r);
      details.push_back("PDK calls:");
      for (const auto& line : trace_lines(*r.run))
        details.push_back("  " + line);
      details.push_back(response_line(*r.run));
      body += fmt::format("      <failure message=\"{}\" type=\"mismatch\">{}</failure>\n",
                          xml_text(r.mismatches.size() == 1
                                       ? to_string(r.mismatches.front())
                                       : count_of(r.mismatches.size(), "mismatch", "mismatches") +
                                             ": " + to_string(r.mismatches.front())),
                          xml_text(joined(details)));
    }
    if (!r.output.empty())
      body += fmt::format("      <system-out>{}</system-out>\n", xml_text(joined(r.output)));
    cases_ += body.empty() ? xml + "/>\n" : xml + ">\n" + body + "    </testcase>\n";
  }

  Status end() override {
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    char timestamp[32];
    std::tm tm{};
    ::gmtime_r(&started_, &tm);
    std::strftime(timestamp, sizeof timestamp, "%Y-%m-%dT%H:%M:%S", &tm);
    const std::string counts =
        fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\"", tests_, failures_, errors_);
    const std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
        fmt::format("<testsuites name=\"mock-kong\" {} time=\"{}\">\n", counts, seconds(total_)) +
        fmt::format(
            "  <testsuite name=\"{}\" {} skipped=\"0\" time=\"{}\" timestamp=\"{}\" "
            "hostname=\"{}\">\n",
            xml_text(fixture_), counts, seconds(total_), timestamp, xml_text(host)) +
        "    <properties>\n" +
        fmt::format("      <property name=\"plugin\" value=\"{}\"/>\n", xml_text(plugin_)) +
        "    </properties>\n" + cases_ + "  </testsuite>\n</testsuites>\n";
    return write_report_file(file_, xml, "the JUnit report");
  }

 private:
  std::string file_;
  std::string fixture_;
  std::string classname_;
  std::string plugin_;
  std::time_t started_ = 0;
  std::size_t tests_ = 0, failures_ = 0, errors_ = 0;
  std::chrono::nanoseconds total_{};
  std::string cases_;
};

}  // namespace

std::unique_ptr<Reporter> junit_reporter(std::string file) {
  return std::make_unique<JunitReporter>(std::move(file));
}

}  // namespace kong::mock
