#include "report/run_text.h"

#include <fmt/format.h>

#include "kong/protocol/value.h"

namespace kong::mock {
namespace {

// A body longer than this prints its start and its length.
constexpr std::size_t kShownBodyBytes = 200;

std::string shown_body(const std::string& body) {
  if (body.size() <= kShownBodyBytes)
    return nlohmann::json(body).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json(body.substr(0, kShownBodyBytes))
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         fmt::format("... ({} bytes)", body.size());
}

}  // namespace

std::vector<std::string> mismatch_lines(const CaseResult& result) {
  std::vector<std::string> lines;
  for (const auto& m : result.mismatches)
    lines.push_back(to_string(m));
  return lines;
}

std::vector<std::string> trace_lines(const CaseRun& run) {
  std::vector<std::string> lines;
  for (const auto& t : run.state.trace) {
    // With several plugins, each call names the plugin that made it.
    lines.push_back(fmt::format(
        "{:<8} {}{}({}) -> {}", to_string(t.phase), t.plugin.empty() ? "" : t.plugin + ": ",
        t.method, protocol::to_debug_string(t.args),
        t.error.empty() ? protocol::to_debug_string(t.result) : "error: " + t.error));
  }
  return lines;
}

std::string indented(const std::string& text, std::size_t first, std::size_t rest) {
  std::string out(first, ' ');
  for (char ch : text) {
    out += ch;
    if (ch == '\n')
      out.append(rest, ' ');
  }
  return out;
}

std::string response_line(const CaseRun& run) {
  const auto& r = run.state.response;
  if (run.state.handshake_failed)
    return "no response: the TLS handshake failed";
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : r.headers.lines())
    headers.push_back(name + ": " + value);
  return fmt::format("response {} ({}), headers {}, body {}", r.status, r.source,
                     headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     shown_body(r.body));
}

}  // namespace kong::mock
