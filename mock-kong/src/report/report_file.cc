#include "report/report_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace kong::mock {

Status write_report_file(const std::string& file, std::string_view text, std::string_view what) {
  std::ofstream out(file, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out)
    return Error{fmt::format("cannot write {} {}: {}", what, file, std::strerror(errno))};
  return Ok{};
}

}  // namespace kong::mock
