#pragma once

#include <string>
#include <vector>

#include "kong/mock/case_runner.h"

namespace kong::mock {

/// The lines that explain a case beyond PASS or FAIL, without indentation:
/// each mismatch, each PDK call with Kong's answer, and the final response.
/// The text and JUnit reports both print them.
std::vector<std::string> mismatch_lines(const CaseResult& result);
std::vector<std::string> trace_lines(const CaseRun& run);
std::string response_line(const CaseRun& run);

/// `text` after `first` spaces, each line after the first after `rest`:
/// a message under a PASS, FAIL or FOUND line.
std::string indented(const std::string& text, std::size_t first, std::size_t rest);

}  // namespace kong::mock
